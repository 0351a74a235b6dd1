using Amazon.Runtime;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Wire;

/// <summary>
/// The listed operations moto_server does not serve, with the reason. They are covered by the
/// contract tests only. The test below proves each one is still unserved, so the day moto adds one
/// it fails and asks for a wire test instead.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class MotoGapsTests(MotoServer moto)
{
    public static TheoryData<string, string, string> OperationsMotoLacks() => new()
    {
        { "rds", "DescribeDBClusterEndpoints", "moto 5 RDSResponse has no handler; the action answers a non-XML 500" },
        { "rds", "CreateDBClusterEndpoint", "moto 5 RDSResponse has no handler" },
        { "rds", "DeleteDBClusterEndpoint", "moto 5 RDSResponse has no handler" },
        { "rds", "RemoveRoleFromDBCluster", "moto 5 RDSResponse has no handler (AddRoleToDBCluster exists)" },
        { "rds", "DescribeIntegrations", "moto 5 RDSResponse has no handler; the action answers a non-XML 500" },
        { "rds", "CreateIntegration", "moto 5 RDSResponse has no handler; the action answers a non-XML 500" },
        { "backup", "PutBackupVaultAccessPolicy", "moto 5 has no route for /backup-vaults/{name}/access-policy (404)" },
        { "backup", "GetBackupVaultAccessPolicy", "moto 5 has no route for /backup-vaults/{name}/access-policy (404)" },
        { "backup", "UpdateBackupPlan", "moto 5 routes POST /backup/plans/{id} but has no handler (500)" },
        { "backup", "CreateBackupSelection", "moto 5 routes /backup/plans/{id}/selections/ but has no handler (500)" },
        { "backup", "GetBackupSelection", "moto 5 routes /backup/plans/{id}/selections/{id} but has no handler (500)" },
        { "backup", "ListBackupSelections", "moto 5 routes /backup/plans/{id}/selections/ but has no handler (500)" },
        { "backup", "DescribeGlobalSettings", "moto 5 has no route for /global-settings (404)" },
        { "backup", "StartBackupJob", "moto 5 has no route for /backup-jobs (404)" },
        { "backup", "DescribeBackupJob", "moto 5 has no route for /backup-jobs/{id} (404)" },
        { "backup", "StartCopyJob", "moto 5 has no route for /copy-jobs (404)" },
        { "backup", "DescribeCopyJob", "moto 5 has no route for /copy-jobs/{id} (404)" },
        { "backup", "ListCopyJobs", "moto 5 has no route for /copy-jobs/ (404)" },
        { "backup", "ListRecoveryPointsByBackupVault", "moto 5 has no route for /backup-vaults/{name}/recovery-points/ (404)" },
    };

    [Theory]
    [MemberData(nameof(OperationsMotoLacks))]
    public async Task Operation_moto_lacks_is_still_unserved(string serviceName, string operation, string reason)
    {
        var service = ServiceUnderTest.Named(serviceName);
        var model = ServiceModel.Load(service.Model);
        var input = model.Operation(operation).GetProperty("input").GetProperty("shape").GetString()!;
        var request = (AmazonWebServiceRequest)ModelValues.ToObject(service.RequestType(operation), new ModelValues(model).Make(input, Fill.RequiredOnly));
        using var client = service.CreateClient(moto.Factory(), MotoServer.Region);

        var error = await Assert.ThrowsAnyAsync<AmazonServiceException>(() => ServiceUnderTest.InvokeAsync(client, operation, request));

        // Not an AWS error document but moto's own "no such route" or crash page.
        Assert.True((int)error.StatusCode is 404 or 500, $"{operation} ({reason}) now answers HTTP {(int)error.StatusCode} {error.ErrorCode}: {error.Message}");
        Assert.True(error.GetType().Name.StartsWith("Amazon", StringComparison.Ordinal), $"{operation} ({reason}) now answers a typed AWS error {error.ErrorCode}");
    }
}

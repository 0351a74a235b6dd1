using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.Tests.Support;
using static Rekey.Aws.Tests.Wire.RdsWireTests;

namespace Rekey.Aws.Tests.Wire;

/// <summary>The parameter group operations through AmazonRDSClient against moto_server.</summary>
[Collection(MotoCollection.Name)]
public sealed class RdsParameterGroupWireTests(MotoServer moto)
{
    private readonly AwsClientFactory _factory = moto.Factory();

    [Fact]
    public async Task Cluster_parameter_group_is_created_copied_modified_described_and_deleted()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        var name = NewId("cpg");
        var created = await rds.CreateDBClusterParameterGroupAsync(new CreateDBClusterParameterGroupRequest
        {
            DBClusterParameterGroupName = name,
            DBParameterGroupFamily = "aurora-mysql8.0",
            Description = "rekey wire test",
            Tags = [new Tag { Key = "rekey:run", Value = name }],
        });
        Assert.Equal(name, created.DBClusterParameterGroup!.DBClusterParameterGroupName);
        Assert.Equal("aurora-mysql8.0", created.DBClusterParameterGroup.DBParameterGroupFamily);

        var copy = name + "-copy";
        var copied = await rds.CopyDBClusterParameterGroupAsync(new CopyDBClusterParameterGroupRequest
        {
            SourceDBClusterParameterGroupIdentifier = name,
            TargetDBClusterParameterGroupIdentifier = copy,
            TargetDBClusterParameterGroupDescription = "copy",
        });
        Assert.Equal(copy, copied.DBClusterParameterGroup!.DBClusterParameterGroupName);

        var modified = await rds.ModifyDBClusterParameterGroupAsync(new ModifyDBClusterParameterGroupRequest
        {
            DBClusterParameterGroupName = copy,
            Parameters = [new Parameter { ParameterName = "binlog_format", ParameterValue = "ROW", ApplyMethod = "pending-reboot" }],
        });
        Assert.Equal(copy, modified.DBClusterParameterGroupName);

        var parameters = await ToListAsync(rds.DescribeDBClusterParametersAllAsync(new DescribeDBClusterParametersRequest { DBClusterParameterGroupName = copy }));
        Assert.Contains(parameters, p => p.ParameterName == "binlog_format" && p.ParameterValue == "ROW" && p.ApplyMethod == "pending-reboot");

        var described = await ToListAsync(rds.DescribeDBClusterParameterGroupsAllAsync(new DescribeDBClusterParameterGroupsRequest { DBClusterParameterGroupName = copy }));
        Assert.Equal("aurora-mysql8.0", Assert.Single(described).DBParameterGroupFamily);

        await rds.DeleteDBClusterParameterGroupAsync(new DeleteDBClusterParameterGroupRequest { DBClusterParameterGroupName = copy });
        var gone = await Assert.ThrowsAnyAsync<AmazonRDSException>(() => rds.DescribeDBClusterParametersAsync(new DescribeDBClusterParametersRequest { DBClusterParameterGroupName = copy }));
        Assert.Equal("DBParameterGroupNotFound", gone.ErrorCode);
        Assert.IsType<DBParameterGroupNotFoundException>(gone);
    }

    [Fact]
    public async Task Copying_onto_an_existing_cluster_parameter_group_fails_with_DBParameterGroupAlreadyExists()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        var name = NewId("cpg-dup");
        await rds.CreateDBClusterParameterGroupAsync(new CreateDBClusterParameterGroupRequest { DBClusterParameterGroupName = name, DBParameterGroupFamily = "aurora-postgresql16", Description = "x" });

        var error = await Assert.ThrowsAsync<DBParameterGroupAlreadyExistsException>(() => rds.CopyDBClusterParameterGroupAsync(new CopyDBClusterParameterGroupRequest
        {
            SourceDBClusterParameterGroupIdentifier = name,
            TargetDBClusterParameterGroupIdentifier = name,
            TargetDBClusterParameterGroupDescription = "again",
        }));
        Assert.Equal("DBParameterGroupAlreadyExists", error.ErrorCode);
    }

    [Fact]
    public async Task Db_parameter_group_is_created_and_described_with_its_parameters()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        var name = NewId("pg");
        var created = await rds.CreateDBParameterGroupAsync(new CreateDBParameterGroupRequest { DBParameterGroupName = name, DBParameterGroupFamily = "aurora-postgresql16", Description = "instance" });
        Assert.Equal(name, created.DBParameterGroup!.DBParameterGroupName);

        var groups = await ToListAsync(rds.DescribeDBParameterGroupsAllAsync(new DescribeDBParameterGroupsRequest { DBParameterGroupName = name }));
        Assert.Equal("aurora-postgresql16", Assert.Single(groups).DBParameterGroupFamily);

        var parameters = await rds.DescribeDBParametersAsync(new DescribeDBParametersRequest { DBParameterGroupName = name });
        Assert.NotNull(parameters.Parameters);
    }
}

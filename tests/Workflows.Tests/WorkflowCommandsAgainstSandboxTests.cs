using Amazon;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Rekey.Aws;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.SNS.Model;
using Rekey.Configuration;
using Rekey.Iam;
using Rekey.Migration;
using Rekey.SandboxRehearsal;
using Rekey.Sandbox;
using Rekey.Sandbox.Core;
using Rekey.Waiting;

namespace Rekey.Workflows.Tests;

/// <summary>
/// Dispatches rekey.yml in miniature: the plan job's and then the cutover job's own scripts, with the
/// environment the workflow gives them, against a sandbox that holds the sample account; records what
/// each job called so the generated roles can be held against it. The roles are created from the
/// trust policies the IamPolicies target writes, and each job gets its credentials as
/// configure-aws-credentials does: GitHub's token for the job's environment exchanged for the role
/// its environment's variable names, so the generated trust policies are proved as well.
/// </summary>
public sealed class SandboxDispatch : IAsyncLifetime
{
    public const string Region = "us-east-1";
    public const string Cluster = "orders";
    public const string KeyAlias = "alias/rekey-orders";
    public const string Environment = "prod";
    public const string SecondCluster = "inventory";
    public const string BackupAccount = "222222222222";
    public const string BackupVault = "rekey-copies";
    public const string ManagementAccount = "999999999999";
    public const string Repository = "acme/db-tools";

    private SandboxServer? _sandbox;

    public string WorkingDirectory { get; private set; } = string.Empty;

    public string StepSummary => Path.Combine(WorkingDirectory, "step-summary.md");

    public JobRun Plan { get; private set; } = null!;

    public JobRun Cutover { get; private set; } = null!;

    public IReadOnlyList<CallRecord> PlanCalls { get; private set; } = [];

    public IReadOnlyList<CallRecord> CutoverCalls { get; private set; } = [];

    /// <summary>The rollback job after the cutover of <see cref="Cluster"/>.</summary>
    public JobRun Rollback { get; private set; } = null!;

    /// <summary>The cutover and then the cleanup job for <see cref="SecondCluster"/>.</summary>
    public JobRun SecondCutover { get; private set; } = null!;

    public JobRun Cleanup { get; private set; } = null!;

    /// <summary>A later cutover of <see cref="Cluster"/> whose restore ends failed, leaving the cluster locked by its run.</summary>
    public JobRun StoppedCutover { get; private set; } = null!;

    /// <summary>A rollback dispatched after <see cref="StoppedCutover"/> without its run id.</summary>
    public JobRun RollbackWithoutRunId { get; private set; } = null!;

    /// <summary>A rollback dispatched with the stopped cutover's run id in the run-id input.</summary>
    public JobRun RollbackOfStoppedRun { get; private set; } = null!;

    /// <summary>The old cluster's identifier and key after <see cref="RollbackOfStoppedRun"/>.</summary>
    public (bool OldClusterRemains, string? KeyId) AfterRollbackOfStoppedRun { get; private set; }

    public string? KeyBeforeStoppedCutover { get; private set; }

    public const string StoppedRunId = "4247";

    public const string SecondStoppedRunId = "4250";

    /// <summary>Another cutover of <see cref="Cluster"/> whose restore was refused, then resumed by a dispatch naming its run id.</summary>
    public JobRun SecondStoppedCutover { get; private set; } = null!;

    public JobRun ResumedCutover { get; private set; } = null!;

    public string? KeyAfterResumedCutover { get; private set; }

    /// <summary>The backup job for <see cref="SecondCluster"/>, between its cutover and its cleanup.</summary>
    public JobRun Backup { get; private set; } = null!;

    /// <summary>What the rollback, second cutover and cleanup jobs called.</summary>
    public IReadOnlyList<CallRecord> LaterCalls { get; private set; } = [];

    public string KeyArn { get; private set; } = string.Empty;

    public string? ClusterKeyAfter { get; private set; }

    public IReadOnlyList<IamRole> Roles { get; private set; } = [];

    /// <summary>The roles IamPolicies makes for <see cref="SecondCluster"/> (its own cluster-scoped set).</summary>
    public IReadOnlyList<IamRole> SecondClusterRoles { get; private set; } = [];

    /// <summary>The environment's one tag-scoped role set (--iam-scope=fleet), for every cluster tagged rekey-environment=prod.</summary>
    public IReadOnlyList<IamRole> FleetRoles { get; private set; } = [];

    /// <summary>The workflow file the trust policies accept, as GitHub's job_workflow_ref names it.</summary>
    public const string WorkflowRef = $"{Repository}/.github/workflows/rekey.yml@refs/heads/main";

    /// <summary>Every call each job made with its role, in order: the job, the cluster it was dispatched for, the calls.</summary>
    public IReadOnlyList<(string Job, string Cluster, IReadOnlyList<CallRecord> Calls)> JobRecords => _jobRecords;

    private readonly List<(string Job, string Cluster, IReadOnlyList<CallRecord> Calls)> _jobRecords = [];
    private readonly HashSet<string> _recordedRequests = new(StringComparer.Ordinal);

    /// <summary>A rollback of <see cref="Cluster"/> after <see cref="ResumedCutover"/>, bringing it back to the AWS managed key.</summary>
    public JobRun RollbackBeforeBlueGreen { get; private set; } = null!;

    /// <summary>The dress-rehearsal dispatch of <see cref="Cluster"/>: its plan job, then its dress-rehearsal job.</summary>
    public JobRun DressRehearsalPlan { get; private set; } = null!;

    public JobRun DressRehearsal { get; private set; } = null!;

    public IReadOnlyList<CallRecord> DressRehearsalCalls { get; private set; } = [];

    /// <summary>The cluster's key and the identifiers of every cluster before and after the dress rehearsal.</summary>
    public (string? KeyId, IReadOnlyList<string> Clusters) BeforeDressRehearsal { get; private set; }

    public (string? KeyId, IReadOnlyList<string> Clusters) AfterDressRehearsal { get; private set; }

    /// <summary>A cutover dispatch of <see cref="Cluster"/> with strategy auto: plan, provision (the green), then cutover (the switchover).</summary>
    public JobRun BlueGreenPlan { get; private set; } = null!;

    public JobRun Provision { get; private set; } = null!;

    public JobRun BlueGreenCutover { get; private set; } = null!;

    /// <summary>The cluster's key and whether a Blue/Green deployment existed, after the provision job and before the cutover job.</summary>
    public (string? KeyId, int Deployments) AfterProvision { get; private set; }

    public string? KeyAfterBlueGreen { get; private set; }

    /// <summary>The cutover dispatched again with the run id and sequences-advanced, after the sequences were advanced.</summary>
    public JobRun FinishedBlueGreenCutover { get; private set; } = null!;

    public IReadOnlyList<CallRecord> BlueGreenCalls { get; private set; } = [];

    /// <summary>The assumed-role ARN of each session the jobs' configure-aws-credentials steps obtained, in order.</summary>
    public IReadOnlyList<(string Job, string AssumedRoleArn)> Sessions => _sessions;

    /// <summary>The error code STS gave a token of the plan environment for the migration role.</summary>
    public string? PlanTokenForMigrationRole { get; private set; }

    /// <summary>The error code STS gave a token of the migration role's environment from another workflow file of the repository.</summary>
    public string? OtherWorkflowTokenForMigrationRole { get; private set; }

    private readonly List<(string Job, string AssumedRoleArn)> _sessions = [];

    /// <summary>The IamPolicies target as docs/github-setup.md runs it, before the window.</summary>
    public JobRun IamPolicies { get; private set; } = null!;

    public Workflow Workflow { get; } = Workflow.Load("rekey.yml");

    public async Task InitializeAsync()
    {
        var cancellationToken = CancellationToken.None;
        _sandbox = await SandboxServer.StartAsync(SandboxOptions.ForTests(clockSpeed: 600) with { DefaultRegion = Region }, cancellationToken);
        var aws = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = _sandbox.BaseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(SampleAccount.Account, "sandbox"),
        });
        var region = RegionEndpoint.GetBySystemName(Region);

        // What exists before the window: the account, its clusters, the topic, and the key made ahead of time.
        using var rds = aws.CreateRds(region);
        await SampleAccount.SeedAsync(rds, new Waiter(WaitSettings.Fast, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance), cancellationToken);
        using (var api = SandboxApi.For(_sandbox.BaseUrl))
        {
            await SampleAccount.SeedBackupServiceRoleAsync(api, cancellationToken);
        }
        using var sns = aws.CreateSns(region);
        var topicArn = (await sns.CreateTopicAsync(new CreateTopicRequest { Name = "rekey" }, cancellationToken)).TopicArn!;
        using var kms = aws.CreateKms(region);
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Policy = KeyPolicies.ForNewKey("aws", SampleAccount.Account, Region, BackupAccount) }, cancellationToken);
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = KeyAlias, TargetKeyId = key.KeyMetadata.KeyId }, cancellationToken);
        KeyArn = key.KeyMetadata.Arn;

        // Only the organization's management account may turn cross-account backup on.
        using (var management = aws.WithCredentials(new BasicAWSCredentials(ManagementAccount, "sandbox")).CreateBackup(region))
        {
            await management.UpdateGlobalSettingsAsync(
                new Rekey.Aws.Backup.Model.UpdateGlobalSettingsRequest { GlobalSettings = new Dictionary<string, string> { ["isCrossAccountBackupEnabled"] = "true" } },
                cancellationToken);
        }

        // The operator tags what Rekey may migrate in the environment (clusters, instances, custom endpoints), as
        // docs/github-setup.md asks for the fleet's role set.
        foreach (var cluster in (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest(), cancellationToken)).DBClusters!)
        {
            var fleetTag = new List<Rekey.Aws.RDS.Model.Tag> { new() { Key = Rekey.Iam.IamPolicies.FleetTagKey, Value = Environment } };
            await rds.AddTagsToResourceAsync(new AddTagsToResourceRequest { ResourceName = cluster.DBClusterArn, Tags = fleetTag }, cancellationToken);
            foreach (var member in cluster.DBClusterMembers ?? [])
            {
                var instance = (await rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest { DBInstanceIdentifier = member.DBInstanceIdentifier }, cancellationToken)).DBInstances![0];
                await rds.AddTagsToResourceAsync(new AddTagsToResourceRequest { ResourceName = instance.DBInstanceArn, Tags = fleetTag }, cancellationToken);
            }

            foreach (var endpoint in (await rds.DescribeDBClusterEndpointsAsync(new DescribeDBClusterEndpointsRequest { DBClusterIdentifier = cluster.DBClusterIdentifier }, cancellationToken)).DBClusterEndpoints ?? [])
            {
                if (endpoint.EndpointType == "CUSTOM")
                {
                    await rds.AddTagsToResourceAsync(new AddTagsToResourceRequest { ResourceName = endpoint.DBClusterEndpointArn, Tags = fleetTag }, cancellationToken);
                }
            }
        }

        using var sts = aws.CreateSts(region);
        Assert.True(KmsKeyReference.TryParse(KeyAlias, out var keyReference));
        var settings = new RekeySettings
        {
            Cluster = Cluster, GitHubRepo = "acme/db-tools", Environment = Environment, KmsKey = keyReference, SnsTopicArn = topicArn,
            BackupAccount = BackupAccount, BackupVault = BackupVault,
        };
        Roles = Rekey.Iam.IamPolicies.Generate(await IamSetupReader.ReadAsync(rds, sts, settings, Region, cancellationToken));
        SecondClusterRoles = Rekey.Iam.IamPolicies.Generate(await IamSetupReader.ReadAsync(rds, sts, settings with { Cluster = SecondCluster }, Region, cancellationToken));
        FleetRoles = Rekey.Iam.IamPolicies.Generate(await IamSetupReader.ReadAsync(rds, sts, settings with { Cluster = null, IamFleet = true }, Region, cancellationToken));

        WorkingDirectory = WorkflowScriptRunner.Prepare();
        var timeout = TimeSpan.FromMinutes(3);
        var contexts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["inputs.environment"] = Environment,
            ["inputs.cluster"] = Cluster,
            ["inputs.region"] = Region,
            ["inputs.phase"] = "cutover",
            // These jobs are proved on restore-swap: with the sandbox serving Blue/Green, auto would pick it for orders.
            ["inputs.strategy"] = "restore-swap",
            // What the plan job of the dispatch said; a job dispatched here without its plan job falls back to the input.
            ["needs.plan.outputs.strategy"] = string.Empty,
            ["needs.plan.outputs.plan-digest"] = string.Empty,
            ["inputs.kms-key"] = KeyAlias,
            ["inputs.dry-run"] = "false",
            ["inputs.sequences-advanced"] = "false",
            ["inputs.run-id"] = string.Empty,
            ["vars.REKEY_SNS_TOPIC_ARN"] = topicArn,
            ["vars.REKEY_BACKUP_ACCOUNT"] = BackupAccount,
            ["vars.REKEY_BACKUP_VAULT"] = BackupVault,
            ["github.run_id"] = "4242",
            ["github.run_attempt"] = "1",
        };

        // What the runner provides, and the sandbox's stand-ins for DNS and time. Each job's credentials come
        // from its configure-aws-credentials steps (RunJobAsync).
        var runner = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_ENDPOINT_URL"] = _sandbox.BaseUrl.ToString().TrimEnd('/'),
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_RUN_ID"] = "4242",
            ["GITHUB_REPOSITORY"] = Repository,
            ["GITHUB_SERVER_URL"] = "https://github.com",
            ["GITHUB_STEP_SUMMARY"] = StepSummary,
            ["REKEY_DNS_SERVER"] = $"127.0.0.1:{_sandbox.DnsPort}",
            ["REKEY_POLL_INTERVAL"] = "0.05s",

            // These jobs are proved on restore-swap: with the sandbox serving Blue/Green, auto would pick it for orders.
            ["REKEY_STRATEGY"] = "restore-swap",
        };
        // The operator runs IamPolicies with the account's own credentials, before any role exists.
        var operatorScripts = new WorkflowScriptRunner(
            WorkingDirectory,
            contexts,
            new Dictionary<string, string>(runner, StringComparer.Ordinal) { ["AWS_ACCESS_KEY_ID"] = SampleAccount.Account, ["AWS_SECRET_ACCESS_KEY"] = "sandbox" });

        // Each dispatch is a run of its own, with its own run id.
        (Dictionary<string, string> Contexts, Dictionary<string, string> Runner) Dispatch(string runId, params (string Context, string Value)[] inputs)
        {
            var dispatched = new Dictionary<string, string>(contexts, StringComparer.Ordinal) { ["github.run_id"] = runId };
            foreach (var (context, value) in inputs)
            {
                dispatched[context] = value;
            }

            return (dispatched, new Dictionary<string, string>(runner, StringComparer.Ordinal) { ["GITHUB_RUN_ID"] = runId });
        }

        // A job as GitHub runs it: its environment's variables, then its configure-aws-credentials steps (GitHub's
        // token for the environment exchanged for the role; a chained role assumed from that session), then its scripts.
        async Task<JobRun> RunJobAsync((Dictionary<string, string> Contexts, Dictionary<string, string> Runner) dispatch, string jobId)
        {
            var job = Workflow.Job(jobId);
            var environment = new WorkflowScriptRunner(WorkingDirectory, dispatch.Contexts, dispatch.Runner).Resolve(job.Environment!);
            var jobContexts = new Dictionary<string, string>(dispatch.Contexts, StringComparer.Ordinal);
            foreach (var role in Roles.Where(r => r.GitHubEnvironment == environment))
            {
                jobContexts["vars." + role.GitHubVariable] = role.Arn;
            }

            var resolver = new WorkflowScriptRunner(WorkingDirectory, jobContexts, dispatch.Runner);
            AWSCredentials? credentials = null;
            foreach (var step in job.RoleSteps)
            {
                var with = step.With.ToDictionary(w => w.Key, w => resolver.Resolve(w.Value), StringComparer.Ordinal);
                // Not the step's role-duration-seconds: that is real time, and the sandbox's clock runs 600x, where it
                // would lapse within seconds on a slow runner. STS's longest session (12 h) is 72 real seconds here.
                const int duration = 43200;
                try
                {
                    Amazon.SecurityToken.Model.Credentials issued;
                    if (with.GetValueOrDefault("role-chaining") == "true")
                    {
                        using var chaining = aws.WithCredentials(credentials ?? throw new InvalidOperationException($"{step} chains from no role.")).CreateSts(region);
                        var chained = await chaining.AssumeRoleAsync(
                            new AssumeRoleRequest
                            {
                                RoleArn = with["role-to-assume"],
                                RoleSessionName = with["role-session-name"],
                                DurationSeconds = duration,
                                Tags = with.GetValueOrDefault("role-skip-session-tagging") == "true" ? null : [new Amazon.SecurityToken.Model.Tag { Key = "GitHub", Value = "Actions" }, new Amazon.SecurityToken.Model.Tag { Key = "Repository", Value = Repository }],
                            },
                            cancellationToken);
                        _sessions.Add((job.Id, chained.AssumedRoleUser.Arn));
                        issued = chained.Credentials;
                    }
                    else
                    {
                        using var anonymous = aws.WithCredentials(new AnonymousAWSCredentials()).CreateSts(region);
                        var federated = await anonymous.AssumeRoleWithWebIdentityAsync(
                            new AssumeRoleWithWebIdentityRequest
                            {
                                RoleArn = with["role-to-assume"],
                                RoleSessionName = with["role-session-name"],
                                DurationSeconds = duration,
                                WebIdentityToken = GitHubToken($"repo:{Repository}:environment:{environment}:job_workflow_ref:{WorkflowRef}"),
                            },
                            cancellationToken);
                        _sessions.Add((job.Id, federated.AssumedRoleUser.Arn));
                        issued = federated.Credentials;
                    }

                    // output-env-credentials: false only proves the chain; the job keeps the role it had.
                    if (with.GetValueOrDefault("output-env-credentials") != "false")
                    {
                        credentials = new SessionAWSCredentials(issued.AccessKeyId, issued.SecretAccessKey, issued.SessionToken);
                    }
                }
                catch (AmazonSecurityTokenServiceException error)
                {
                    return new JobRun(job.Id, 1, $"{step}: {error.ErrorCode}: {error.Message}");
                }
            }

            var identity = (credentials ?? throw new InvalidOperationException($"{job} assumes no role.")).GetCredentials();
            var jobRunner = new Dictionary<string, string>(dispatch.Runner, StringComparer.Ordinal)
            {
                ["AWS_ACCESS_KEY_ID"] = identity.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = identity.SecretKey,
                ["AWS_SESSION_TOKEN"] = identity.Token,
            };
            HandOverTheApprovedPlan(job, dispatch.Contexts);
            var run = await new WorkflowScriptRunner(WorkingDirectory, jobContexts, jobRunner).RunAsync(job, timeout);

            // What this job called with its roles (not the set-up's own calls with the account's credentials).
            var calls = _sandbox!.Calls.Snapshot()
                .Where(c => c.Principal is not null && c.Principal.Contains(":assumed-role/", StringComparison.Ordinal) && _recordedRequests.Add(c.RequestId))
                .Where(c => c.Operation != "AssumeRoleWithWebIdentity")
                .ToList();
            _jobRecords.Add((job.Id, dispatch.Contexts["inputs.cluster"], calls));
            return run;
        }

        var first = Dispatch("4242");

        var rollback = Dispatch("4243", ("inputs.phase", "rollback"));
        var second = Dispatch(
            "4244",
            ("inputs.cluster", SecondCluster),
            ("inputs.kms-key", string.Empty),
            ("vars.REKEY_KMS_KEY", KeyAlias),
            ("vars.REKEY_MIN_AGE", "1m")); // a minute of the sandbox's clock, a tenth of a second here
        var backup = Dispatch("4246", ("inputs.cluster", SecondCluster), ("inputs.phase", "backup"), ("inputs.kms-key", string.Empty), ("vars.REKEY_KMS_KEY", KeyAlias));
        var cleanup = Dispatch("4245", ("inputs.cluster", SecondCluster), ("inputs.phase", "cleanup"), ("vars.REKEY_MIN_AGE", "1m"));

        IamPolicies = await operatorScripts.RunCommandAsync(
            $"./build.sh --target=IamPolicies --cluster={Cluster} --region={Region} --github-repo={Repository} --environment={Environment} "
            + $"--kms-key={KeyAlias} --strategy=auto --sns-topic-arn={topicArn} --backup-account={BackupAccount} --backup-vault={BackupVault} --iam-output=iam",
            timeout);
        Assert.True(IamPolicies.ExitCode == 0, IamPolicies.Output);

        // The roles as docs/github-setup.md creates them, each with the trust policy IamPolicies wrote for it.
        using (var api = SandboxApi.For(_sandbox.BaseUrl))
        {
            foreach (var role in Roles)
            {
                var trust = await File.ReadAllTextAsync(Path.Combine(WorkingDirectory, "iam", role.Trust.FileName), cancellationToken);
                await api.CreateRoleAsync(role.Arn, trust, cancellationToken);
            }
        }

        // A token of the plan environment is not the migration role's subject.
        using (var anonymous = aws.WithCredentials(new AnonymousAWSCredentials()).CreateSts(region))
        {
            var refused = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => anonymous.AssumeRoleWithWebIdentityAsync(
                new AssumeRoleWithWebIdentityRequest
                {
                    RoleArn = Roles.Single(r => r.GitHubVariable == "REKEY_MIGRATION_ROLE_ARN").Arn,
                    RoleSessionName = "rekey-cutover-4242",
                    WebIdentityToken = GitHubToken($"repo:{Repository}:environment:{Environment}-plan:job_workflow_ref:{WorkflowRef}"),
                },
                cancellationToken));
            PlanTokenForMigrationRole = refused.ErrorCode;

            // Nor is any other workflow of the repository that targets the same environment.
            var otherWorkflow = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => anonymous.AssumeRoleWithWebIdentityAsync(
                new AssumeRoleWithWebIdentityRequest
                {
                    RoleArn = Roles.Single(r => r.GitHubVariable == "REKEY_MIGRATION_ROLE_ARN").Arn,
                    RoleSessionName = "other-4242",
                    WebIdentityToken = GitHubToken($"repo:{Repository}:environment:{Environment}:job_workflow_ref:{Repository}/.github/workflows/other.yml@refs/heads/main"),
                },
                cancellationToken));
            OtherWorkflowTokenForMigrationRole = otherWorkflow.ErrorCode;
        }

        _sandbox.Calls.Clear();
        Plan = await RunJobAsync(first, "plan");
        PlanCalls = JobCalls();

        // The approval approves the plan job's digest; the cutover job is held to it.
        first.Contexts["needs.plan.outputs.plan-digest"] = Plan.Outputs.GetValueOrDefault("plan-digest") ?? string.Empty;

        _sandbox.Calls.Clear();
        Cutover = await RunJobAsync(first, "cutover");
        CutoverCalls = JobCalls();

        ClusterKeyAfter = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = Cluster }, cancellationToken)).DBClusters![0].KmsKeyId;

        _sandbox.Calls.Clear();
        Rollback = await RunJobAsync(rollback, "rollback");
        SecondCutover = await RunJobAsync(second, "cutover");
        Backup = await RunJobAsync(backup, "backup");
        Cleanup = await RunJobAsync(cleanup, "cleanup");
        LaterCalls = JobCalls();

        // A cutover that stops half way keeps the cluster locked by its run; only that run id may roll it back.
        var keyBefore = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = Cluster }, cancellationToken)).DBClusters![0].KmsKeyId;
        _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.FailAsync, Service = "rds", Operation = "RestoreDBClusterToPointInTime" });
        StoppedCutover = await RunJobAsync(Dispatch(StoppedRunId), "cutover");
        RollbackWithoutRunId = await RunJobAsync(Dispatch("4248", ("inputs.phase", "rollback")), "rollback");
        RollbackOfStoppedRun = await RunJobAsync(Dispatch("4249", ("inputs.phase", "rollback"), ("inputs.run-id", StoppedRunId)), "rollback");
        var clusters = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest(), cancellationToken)).DBClusters!;
        AfterRollbackOfStoppedRun = (
            clusters.Any(c => c.DBClusterIdentifier == Cluster + "-old"),
            clusters.SingleOrDefault(c => c.DBClusterIdentifier == Cluster)?.KmsKeyId);
        KeyBeforeStoppedCutover = keyBefore;

        // A cutover stopped by a refused restore (a permission missing from the role, say) is resumed once that is
        // fixed, by a cutover dispatch that names the stopped run. A restore that ended failed is rolled back instead.
        _sandbox.Faults.Add(new FaultRule
        {
            Kind = FaultKind.Fail,
            Service = "rds",
            Operation = "RestoreDBClusterToPointInTime",
            ErrorCode = "AccessDenied",
            HttpStatus = 403,
            Message = "User is not authorized to perform: rds:RestoreDBClusterToPointInTime",
        });
        SecondStoppedCutover = await RunJobAsync(Dispatch(SecondStoppedRunId), "cutover");
        ResumedCutover = await RunJobAsync(Dispatch("4251", ("inputs.run-id", SecondStoppedRunId)), "cutover");
        KeyAfterResumedCutover = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = Cluster }, cancellationToken)).DBClusters![0].KmsKeyId;
        _sandbox.Faults.Clear();

        // Back on the AWS managed key, for the dress rehearsal and the Blue/Green cutover.
        RollbackBeforeBlueGreen = await RunJobAsync(Dispatch("4252", ("inputs.phase", "rollback"), ("inputs.run-id", "4251")), "rollback");

        async Task<(string? KeyId, IReadOnlyList<string> Clusters)> ClustersNowAsync() =>
            ((await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = Cluster }, cancellationToken)).DBClusters![0].KmsKeyId,
             (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest(), cancellationToken)).DBClusters!.Select(c => c.DBClusterIdentifier!).Order(StringComparer.Ordinal).ToList());

        // The dress rehearsal runs in the plan environment with its own role and leaves the cluster as it was.
        var dress = Dispatch("4253", ("inputs.phase", "dress-rehearsal"));
        BeforeDressRehearsal = await ClustersNowAsync();
        DressRehearsalPlan = await RunJobAsync(dress, "plan");
        _sandbox.Calls.Clear();
        DressRehearsal = await RunJobAsync(dress, "dress-rehearsal");
        DressRehearsalCalls = JobCalls();
        AfterDressRehearsal = await ClustersNowAsync();

        // A cutover dispatch with strategy auto: the plan chooses Blue/Green for orders and says so in its output,
        // the provision job creates the green (no switchover), the cutover job resumes and switches over.
        var blueGreen = Dispatch("4254", ("inputs.strategy", "auto"));
        BlueGreenPlan = await RunJobAsync(blueGreen, "plan");
        blueGreen.Contexts["needs.plan.outputs.strategy"] = BlueGreenPlan.Outputs.GetValueOrDefault("strategy") ?? string.Empty;
        blueGreen.Contexts["needs.plan.outputs.plan-digest"] = BlueGreenPlan.Outputs.GetValueOrDefault("plan-digest") ?? string.Empty;
        _sandbox.Calls.Clear();
        Provision = await RunJobAsync(blueGreen, "provision");
        var deployments = await rds.DescribeBlueGreenDeploymentsAsync(new DescribeBlueGreenDeploymentsRequest(), cancellationToken);
        AfterProvision = (
            (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = Cluster }, cancellationToken)).DBClusters![0].KmsKeyId,
            deployments.BlueGreenDeployments?.Count ?? 0);

        BlueGreenCutover = await RunJobAsync(blueGreen, "cutover");
        KeyAfterBlueGreen = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = Cluster }, cancellationToken)).DBClusters![0].KmsKeyId;

        // Aurora PostgreSQL: Verify waits for the sequences; once advanced, a cutover dispatch naming the run finishes it.
        FinishedBlueGreenCutover = await RunJobAsync(
            Dispatch("4255", ("inputs.strategy", "blue-green"), ("inputs.run-id", "4254"), ("inputs.sequences-advanced", "true")),
            "cutover");
        BlueGreenCalls = JobCalls();
    }

    /// <summary>
    /// Stands in for the artifact hand-off the runner does not run: what the plan job's upload step keeps (this dispatch's
    /// plan.json, when its plan job ran), the gated job's download step of the same name puts in its path.
    /// </summary>
    private void HandOverTheApprovedPlan(WorkflowJob job, IReadOnlyDictionary<string, string> contexts)
    {
        if (job.OwnSteps.SingleOrDefault(s => s.Uses?.StartsWith("actions/download-artifact@", StringComparison.Ordinal) == true) is not { } download)
        {
            return;
        }

        var upload = Workflow.Job("plan").OwnSteps.Single(s => s.Uses?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true);
        Assert.Equal(upload.With["name"], download.With["name"]);
        var folder = Path.Combine(WorkingDirectory, download.With["path"]);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        if (contexts.GetValueOrDefault("needs.plan.outputs.plan-digest") is { Length: > 0 })
        {
            var plan = Path.Combine(WorkingDirectory, "artifacts", $"{contexts["inputs.cluster"]}-plan.json");
            File.Copy(plan, Path.Combine(folder, Path.GetFileName(plan)));
        }
    }

    /// <summary>
    /// GitHub's OIDC token for a job: issuer, audience sts.amazonaws.com and the subject GitHub sends
    /// (the classic form, which the generated trust policies name). Its signature is not checked by the sandbox.
    /// </summary>
    private static string GitHubToken(string subject)
    {
        static string Encode(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var claims = new System.Text.Json.Nodes.JsonObject
        {
            ["iss"] = "https://token.actions.githubusercontent.com",
            ["aud"] = "sts.amazonaws.com",
            ["sub"] = subject,
            ["repository"] = Repository,
        };
        return $"{Encode("""{"alg":"RS256","typ":"JWT"}""")}.{Encode(claims.ToJsonString())}.c2lnbmF0dXJl";
    }

    // What a job's scripts called: the configure-aws-credentials stand-in's AssumeRoleWithWebIdentity needs no
    // permission of the role and is left out.
    private IReadOnlyList<CallRecord> JobCalls() =>
        _sandbox!.Calls.Snapshot().Where(c => c.Operation != "AssumeRoleWithWebIdentity").ToList();

    public async Task DisposeAsync()
    {
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }

        if (Directory.Exists(WorkingDirectory))
        {
            Directory.Delete(WorkingDirectory, recursive: true);
        }
    }
}

public sealed partial class WorkflowCommandsAgainstSandboxTests(SandboxDispatch dispatch, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<SandboxDispatch>
{
    [Fact]
    public void The_plan_jobs_commands_succeed_and_leave_the_plan_for_the_summary_and_the_artifact()
    {
        Assert.True(dispatch.Plan.ExitCode == 0, dispatch.Plan.Output);

        foreach (var file in new[] { $"{SandboxDispatch.Cluster}-plan.json", $"{SandboxDispatch.Cluster}-plan.md" })
        {
            Assert.True(File.Exists(Path.Combine(dispatch.WorkingDirectory, "artifacts", file)), $"The plan job's upload step finds no artifacts/{file}.");
        }

        Assert.True(File.Exists(dispatch.StepSummary) && new FileInfo(dispatch.StepSummary).Length > 0, "Nothing was written to the job summary.");
    }

    [Fact]
    public void The_cutover_jobs_commands_after_the_plan_move_the_cluster_to_the_key_and_keep_the_report()
    {
        Assert.True(dispatch.Cutover.ExitCode == 0, dispatch.Cutover.Output);

        Assert.Equal(dispatch.KeyArn, dispatch.ClusterKeyAfter);
        Assert.True(File.Exists(Path.Combine(dispatch.WorkingDirectory, "artifacts", $"{SandboxDispatch.Cluster}-cutover-report.json")), "The cutover job's upload step finds no report.");
    }

    [Fact]
    public void Each_job_assumes_its_environment_role_through_the_generated_trust_only_from_Rekeys_workflow_and_the_backup_job_chains_into_the_backup_role()
    {
        var expected = new[]
        {
            ("plan", "arn:aws:sts::111111111111:assumed-role/rekey-prod-plan/rekey-plan-4242"),
            ("cutover", "arn:aws:sts::111111111111:assumed-role/rekey-prod-migration/rekey-cutover-4242"),
            ("rollback", "arn:aws:sts::111111111111:assumed-role/rekey-prod-migration/rekey-rollback-4243"),
            ("cutover", "arn:aws:sts::111111111111:assumed-role/rekey-prod-migration/rekey-cutover-4244"),
            ("backup", "arn:aws:sts::111111111111:assumed-role/rekey-prod-migration/rekey-backup-4246"),
            ("backup", $"arn:aws:sts::{SandboxDispatch.BackupAccount}:assumed-role/rekey-prod-backup/rekey-backup-4246"),
            ("cleanup", "arn:aws:sts::111111111111:assumed-role/rekey-prod-migration/rekey-cleanup-4245"),
        };

        Assert.Equal(expected, dispatch.Sessions.Take(expected.Length));
        Assert.Equal("AccessDenied", dispatch.PlanTokenForMigrationRole);
        Assert.Equal("AccessDenied", dispatch.OtherWorkflowTokenForMigrationRole);
    }

    [Fact]
    public void The_IamPolicies_target_writes_the_generated_documents_and_their_page()
    {
        Assert.True(dispatch.IamPolicies.ExitCode == 0, dispatch.IamPolicies.Output);

        foreach (var document in dispatch.Roles.SelectMany(r => new[] { r.Trust }.Concat(r.PolicyParts)))
        {
            var written = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dispatch.WorkingDirectory, "iam", document.FileName)));
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(document.Document, written), $"{document.FileName} differs from the generator's.");
        }

        Assert.Contains("rekey-prod-migration", File.ReadAllText(Path.Combine(dispatch.WorkingDirectory, "iam", IamSetupWriter.PageFileName)), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_call_of_the_plan_job_is_read_only_and_allowed_by_the_plan_role()
    {
        var policy = dispatch.Roles.Single(r => r.Name == "rekey-prod-plan").Policy.Document;

        var problems = Missing(dispatch.PlanCalls, IamPolicies.ActionsOf(policy), readOnly: true);

        Assert.NotEmpty(dispatch.PlanCalls);
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // The plan job's only writes are its notifications.
        var writes = dispatch.PlanCalls.Where(c => c.Mutating).Select(c => $"{c.Service}:{c.Operation}").Distinct().ToList();
        Assert.Equal(["sns:Publish"], writes);
    }

    [Fact]
    public void Every_call_of_the_cutover_job_is_allowed_by_the_migration_role()
    {
        var policy = dispatch.Roles.Single(r => r.Name == "rekey-prod-migration").Policy.Document;

        var problems = Missing(dispatch.CutoverCalls, IamPolicies.ActionsOf(policy), readOnly: false);

        Assert.Contains(dispatch.CutoverCalls, c => c.Operation == "RestoreDBClusterToPointInTime");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void A_cutover_that_stops_half_way_is_rolled_back_by_a_dispatch_that_names_its_run_id_and_refused_without_it()
    {
        Assert.True(dispatch.StoppedCutover.ExitCode != 0, dispatch.StoppedCutover.Output);
        Assert.Contains("Rollback", dispatch.StoppedCutover.Output, StringComparison.Ordinal);

        Assert.True(dispatch.RollbackWithoutRunId.ExitCode != 0, dispatch.RollbackWithoutRunId.Output);
        Assert.Contains($"--run-id={SandboxDispatch.StoppedRunId}", dispatch.RollbackWithoutRunId.Output, StringComparison.Ordinal);

        Assert.True(dispatch.RollbackOfStoppedRun.ExitCode == 0, dispatch.RollbackOfStoppedRun.Output);
        Assert.False(dispatch.AfterRollbackOfStoppedRun.OldClusterRemains, "the old cluster is still renamed after the rollback");
        Assert.Equal(dispatch.KeyBeforeStoppedCutover, dispatch.AfterRollbackOfStoppedRun.KeyId);
    }

    [Fact]
    public void The_job_action_hands_its_caller_the_exit_code_run_id_and_report_paths_also_when_the_build_fails()
    {
        // Refused for the lock the stopped cutover holds: exit code 4, and the report of the refusal.
        var refused = dispatch.RollbackWithoutRunId;
        Assert.Equal(refused.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.ActionOutputs["exit-code"]);
        Assert.Equal("4248", refused.ActionOutputs["run-id"]);
        Assert.Equal($"artifacts/{SandboxDispatch.Cluster}-rollback-report.json", refused.ActionOutputs["report-json"].Replace('\\', '/'));
        Assert.True(File.Exists(Path.Combine(dispatch.WorkingDirectory, refused.ActionOutputs["report-json"])), refused.ActionOutputs["report-json"]);
        Assert.Equal($"artifacts/{SandboxDispatch.Cluster}-rollback-report.md", refused.ActionOutputs["report-markdown"].Replace('\\', '/'));

        // A plan job: the plan's path, which the next step reads to say the strategy.
        Assert.Equal("0", dispatch.Plan.ActionOutputs["exit-code"]);
        Assert.Equal($"artifacts/{SandboxDispatch.Cluster}-plan.json", dispatch.Plan.ActionOutputs["plan-json"].Replace('\\', '/'));
        Assert.Equal("restore-swap", dispatch.Plan.Outputs["strategy"]);
    }

    [Fact]
    public void The_cutover_job_is_held_to_the_plan_json_the_plan_job_kept_for_its_approval()
    {
        var digest = dispatch.Plan.Outputs["plan-digest"];
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        Assert.Contains($"Plan digest `{digest}`", File.ReadAllText(dispatch.StepSummary), StringComparison.Ordinal);

        Assert.True(dispatch.Cutover.ExitCode == 0, dispatch.Cutover.Output);
        Assert.Contains($"is the approved plan {digest}", System.Text.RegularExpressions.Regex.Replace(dispatch.Cutover.Output, @"\s+", " "), StringComparison.Ordinal);

        // The plan job keeps its plan.json as an artifact; each gated job downloads it and passes the file, so a difference is named.
        var upload = Workflow.Load("rekey.yml").Job("plan").OwnSteps.Single(s => s.Uses?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true);
        Assert.Equal("${{ steps.preview.outputs.plan-json }}", upload.With["path"]);
        Assert.Equal("true", upload.With["overwrite"]);
        foreach (var gated in new[] { "provision", "cutover" })
        {
            var job = Workflow.Load("rekey.yml").Job(gated);
            var download = job.OwnSteps.Single(s => s.Uses?.StartsWith("actions/download-artifact@", StringComparison.Ordinal) == true);
            Assert.Equal(upload.With["name"], download.With["name"]);
            var script = string.Join("\n", job.Steps.Select(s => s.Script ?? string.Empty));
            Assert.Contains($"{download.With["path"]}/*-plan.json", script, StringComparison.Ordinal);
            Assert.Contains("\"${approved[@]}\"", script, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_cutover_that_stops_half_way_is_resumed_to_the_end_by_a_cutover_dispatch_that_names_its_run_id()
    {
        Assert.True(dispatch.SecondStoppedCutover.ExitCode != 0, dispatch.SecondStoppedCutover.Output);
        Assert.True(dispatch.ResumedCutover.ExitCode == 0, dispatch.ResumedCutover.Output);
        Assert.Contains("Verify passed", dispatch.ResumedCutover.Output, StringComparison.Ordinal);
        Assert.NotEqual(dispatch.KeyBeforeStoppedCutover, dispatch.KeyAfterResumedCutover);
        Assert.Equal(dispatch.KeyArn, dispatch.KeyAfterResumedCutover);
    }

    [Fact]
    public void Rollback_and_cleanup_jobs_run_after_a_cutover_and_every_call_is_allowed_by_the_migration_role()
    {
        Assert.True(dispatch.Rollback.ExitCode == 0, dispatch.Rollback.Output);
        Assert.True(dispatch.SecondCutover.ExitCode == 0, dispatch.SecondCutover.Output);
        Assert.True(dispatch.Cleanup.ExitCode == 0, dispatch.Cleanup.Output);
        var policy = dispatch.Roles.Single(r => r.Name == "rekey-prod-migration").Policy.Document;

        var problems = Missing(dispatch.LaterCalls.Where(c => c.Account == SampleAccount.Account).ToList(), IamPolicies.ActionsOf(policy), readOnly: false);

        Assert.Contains(dispatch.LaterCalls, c => c.Operation == "DeleteDBCluster");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_backup_jobs_commands_work_in_both_accounts_with_exactly_what_the_two_roles_allow()
    {
        Assert.True(dispatch.Backup.ExitCode == 0, dispatch.Backup.Output);
        var roles = dispatch.Roles.ToDictionary(r => r.Name);
        var backupCalls = dispatch.LaterCalls.Where(c => c.Account == SandboxDispatch.BackupAccount).ToList();

        var problems = Missing(dispatch.LaterCalls.Where(c => c.Account == SampleAccount.Account).ToList(), IamPolicies.ActionsOf(roles["rekey-prod-migration"].Policy.Document), readOnly: false)
            .Concat(Missing(backupCalls, IamPolicies.ActionsOf(roles["rekey-prod-backup"].Policy.Document), readOnly: false, PolicyAccount.Backup))
            .ToList();

        Assert.Contains(backupCalls, c => c.Operation == "PutBackupVaultAccessPolicy");
        Assert.Contains(dispatch.LaterCalls, c => c.Operation == "StartCopyJob");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_plan_job_says_which_strategy_it_chose_and_the_cutover_jobs_run_that_one()
    {
        Assert.True(dispatch.Plan.ExitCode == 0, dispatch.Plan.Output);
        Assert.Equal("restore-swap", dispatch.Plan.Outputs["strategy"]);

        Assert.True(dispatch.BlueGreenPlan.ExitCode == 0, dispatch.BlueGreenPlan.Output);
        Assert.Equal("blue-green", dispatch.BlueGreenPlan.Outputs["strategy"]);
        Assert.Contains("Strategy: blue-green (asked: auto)", dispatch.BlueGreenPlan.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blue_green_cutover_provisions_the_green_without_switching_over_then_the_cutover_job_switches_over_to_the_key()
    {
        Assert.True(dispatch.RollbackBeforeBlueGreen.ExitCode == 0, dispatch.RollbackBeforeBlueGreen.Output);
        Assert.True(dispatch.Provision.ExitCode == 0, dispatch.Provision.Output);
        Assert.NotEqual(dispatch.KeyArn, dispatch.AfterProvision.KeyId);
        Assert.Equal(1, dispatch.AfterProvision.Deployments);

        // Switched over to the key; on Aurora PostgreSQL Verify asks for the sequences to be advanced first.
        Assert.Equal(dispatch.KeyArn, dispatch.KeyAfterBlueGreen);
        Assert.True(dispatch.BlueGreenCutover.ExitCode != 0, dispatch.BlueGreenCutover.Output);
        Assert.Contains("--sequences-advanced", dispatch.BlueGreenCutover.Output, StringComparison.Ordinal);
        Assert.True(dispatch.FinishedBlueGreenCutover.ExitCode == 0, dispatch.FinishedBlueGreenCutover.Output);
        Assert.Contains(dispatch.BlueGreenCalls, c => c.Operation == "CreateBlueGreenDeployment");
        Assert.Contains(dispatch.BlueGreenCalls, c => c.Operation == "SwitchoverBlueGreenDeployment");
        Assert.DoesNotContain(dispatch.BlueGreenCalls, c => c.Operation == "RestoreDBClusterToPointInTime");

        var policy = dispatch.Roles.Single(r => r.Name == "rekey-prod-migration").Policy.Document;
        var problems = Missing(dispatch.BlueGreenCalls, IamPolicies.ActionsOf(policy), readOnly: false);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains(("provision", "arn:aws:sts::111111111111:assumed-role/rekey-prod-migration/rekey-provision-4254"), dispatch.Sessions);
    }

    [Fact]
    public void The_dress_rehearsal_job_restores_and_deletes_its_copy_with_exactly_what_its_role_allows_and_leaves_the_cluster_as_it_was()
    {
        Assert.True(dispatch.DressRehearsalPlan.ExitCode == 0, dispatch.DressRehearsalPlan.Output);
        Assert.True(dispatch.DressRehearsal.ExitCode == 0, dispatch.DressRehearsal.Output);
        Assert.True(
            File.Exists(Path.Combine(dispatch.WorkingDirectory, "artifacts", $"{SandboxDispatch.Cluster}-dress-rehearsal.json")),
            "The dress rehearsal job's upload step finds no report.");
        Assert.Equal(dispatch.BeforeDressRehearsal.KeyId, dispatch.AfterDressRehearsal.KeyId);
        Assert.Equal(dispatch.BeforeDressRehearsal.Clusters, dispatch.AfterDressRehearsal.Clusters);
        Assert.Contains(("dress-rehearsal", "arn:aws:sts::111111111111:assumed-role/rekey-prod-dress-rehearsal/rekey-dress-rehearsal-4253"), dispatch.Sessions);

        var role = dispatch.Roles.Single(r => r.Name == "rekey-prod-dress-rehearsal");
        Assert.Equal("prod-plan", role.GitHubEnvironment);
        var granted = IamPolicies.ActionsOf(role.Policy.Document);
        var problems = new List<string>();
        foreach (var call in dispatch.DressRehearsalCalls.DistinctBy(c => (c.Service, c.Operation)))
        {
            if (AwsOperationPermissions.FindForDressRehearsal(call.Service, call.Operation) is not { } permission)
            {
                problems.Add($"{call.Service}:{call.Operation} is called by the dress rehearsal but is neither one of its own changes nor a read.");
                continue;
            }

            problems.AddRange(permission.Grants.Where(g => !granted.Contains(g.Action)).Select(g => $"{call.Service}:{call.Operation} needs {g.Action}, which the policy does not grant."));
        }

        Assert.Contains(dispatch.DressRehearsalCalls, c => c.Operation == "RestoreDBClusterToPointInTime");
        Assert.Contains(dispatch.DressRehearsalCalls, c => c.Operation == "DeleteDBCluster");
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // Its own changes are granted on its copy and the cluster's rekey: tags only; nothing else the plan role cannot do.
        var plan = IamPolicies.ActionsOf(dispatch.Roles.Single(r => r.Name == "rekey-prod-plan").Policy.Document);
        var extra = granted.Except(plan).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            AwsOperationPermissions.DressRehearsal.SelectMany(p => p.Grants).Select(g => g.Action).Where(a => !plan.Contains(a)).Distinct().Order(StringComparer.Ordinal),
            extra);
        var neverCalled = AwsOperationPermissions.DressRehearsal
            .Where(p => p.OnlyWhen is null && !dispatch.DressRehearsalCalls.Any(c => c.Service == p.Service && c.Operation == p.Operation))
            .Select(p => $"{p.Service}:{p.Operation}")
            .ToList();
        Assert.True(neverCalled.Count == 0, $"Granted to the dress rehearsal but never called by it: {string.Join(", ", neverCalled)}");
    }

    [Fact]
    public void Every_operation_granted_is_called_by_some_phase_or_says_when_it_is()
    {
        var calls = dispatch.PlanCalls.Concat(dispatch.CutoverCalls).Concat(dispatch.LaterCalls).ToList();
        var called = calls.Select(c => (c.Service, c.Operation, c.Account == SandboxDispatch.BackupAccount ? PolicyAccount.Backup : PolicyAccount.Source)).ToHashSet();

        var neverCalled = AwsOperationPermissions.All
            .Where(p => p is { OnlyWhen: null } && p.Grants.Count > 0)
            .Where(p => !called.Contains((p.Service, p.Operation, p.Account)))
            .Select(p => $"{p.Service}:{p.Operation} ({p.Account})")
            .ToList();

        Assert.True(neverCalled.Count == 0, $"Granted but never called by plan, cutover, backup, rollback or cleanup (remove them, or say when they are called): {string.Join(", ", neverCalled)}");
    }

    /// <summary>Calls the table does not know, read-only calls that change things, and actions the policy does not grant.</summary>
    private static List<string> Missing(IReadOnlyList<CallRecord> calls, IReadOnlySet<string> granted, bool readOnly, PolicyAccount account = PolicyAccount.Source)
    {
        var problems = new List<string>();
        foreach (var call in calls.DistinctBy(c => (c.Service, c.Operation)))
        {
            var permission = AwsOperationPermissions.Find(call.Service, call.Operation, account);
            if (permission is null)
            {
                problems.Add($"{call.Service}:{call.Operation} is called in the {account} account but missing from AwsOperationPermissions.");
                continue;
            }

            if (readOnly && !permission.ReadOnly)
            {
                problems.Add($"{call.Service}:{call.Operation} changes AWS in a read-only job.");
            }

            problems.AddRange(permission.Grants.Where(g => !granted.Contains(g.Action)).Select(g => $"{call.Service}:{call.Operation} needs {g.Action}, which the policy does not grant."));
        }

        return problems;
    }
}

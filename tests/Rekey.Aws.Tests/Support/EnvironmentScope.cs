namespace Rekey.Aws.Tests.Support;

/// <summary>Sets environment variables for one test and restores the previous values afterwards.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    // Every variable the SDK reads for endpoints, regions, profiles and credentials is cleared first,
    // so the machine's own AWS set-up cannot leak into a test.
    private static readonly string[] AwsVariables =
    [
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_RDS", "AWS_ENDPOINT_URL_BACKUP", "AWS_ENDPOINT_URL_SNS", "AWS_ENDPOINT_URL_CLOUDWATCH",
        "AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_ORGANIZATIONS", "AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
        "AWS_EC2_METADATA_DISABLED",
    ];

    private readonly Dictionary<string, string?> _saved = [];
    private readonly string? _savedProfilesLocation = Amazon.AWSConfigs.AWSProfilesLocation;

    public EnvironmentScope(string scratchFolder, params (string Name, string? Value)[] variables)
    {
        foreach (var name in AwsVariables.Concat(variables.Select(v => v.Name)).Distinct())
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, null);
        }

        // No shared credentials file and no instance metadata unless the test provides them. The SDK
        // reads AWS_SHARED_CREDENTIALS_FILE once per process, so the file is chosen through AWSConfigs.
        Amazon.AWSConfigs.AWSProfilesLocation = Path.Combine(scratchFolder, "credentials");
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        Amazon.AWSConfigs.AWSProfilesLocation = _savedProfilesLocation;
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}

/// <summary>Tests that change process environment variables run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";
}

namespace Rekey.State;

/// <summary>
/// The tags Rekey keeps on clusters and instances: AWS is the journal, and these record what AWS
/// cannot show by itself, so a run that starts on a fresh machine knows where the last one stopped.
/// </summary>
public static class RekeyTags
{
    public const string Prefix = "rekey:";

    /// <summary><c>source</c> on the old cluster, <c>target</c> on the new one.</summary>
    public const string Role = "rekey:role";

    /// <summary>On the old cluster and each old instance: the identifier it had before the rename.</summary>
    public const string OriginalId = "rekey:original-id";

    /// <summary>The run that fenced the cluster (and, on the new cluster, created it).</summary>
    public const string RunId = "rekey:run-id";

    /// <summary>The run that holds the cluster; present while a cutover or rollback is in progress.</summary>
    public const string Lock = "rekey:lock";

    /// <summary>T1, on AWS's clock, ISO 8601: the moment after which the old cluster took no writes.</summary>
    public const string T1 = "rekey:t1";

    /// <summary>When the outage started (the rename's server time), ISO 8601.</summary>
    public const string FencedAt = "rekey:fenced-at";

    /// <summary>On the new cluster: when its writer was available and the cluster endpoint resolved to it (the outage's end), ISO 8601.</summary>
    public const string WriterAvailableAt = "rekey:writer-available-at";

    /// <summary>The ARN of the customer managed key the new cluster is encrypted with.</summary>
    public const string TargetKey = "rekey:target-key";

    /// <summary>On the new cluster: the old cluster's identifier after the rename.</summary>
    public const string Source = "rekey:source";

    /// <summary>How far the cutover got: fenced, restored, instances, finalized, verified, rolled-back.</summary>
    public const string Phase = "rekey:phase";

    /// <summary>
    /// Numbered tags (<c>rekey:definition:0</c>, <c>:1</c>, ...) holding the compressed definition of the
    /// old cluster's names and custom endpoints, since one tag value holds at most 256 characters.
    /// </summary>
    public const string DefinitionChunk = "rekey:definition:";

    public const string SourceRole = "source";
    public const string TargetRole = "target";

    public static bool IsRekeyTag(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);
}

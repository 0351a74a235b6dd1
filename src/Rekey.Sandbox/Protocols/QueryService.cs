using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Protocols;

/// <summary>
/// Base for AWS Query services (RDS, STS, SNS, CloudWatch): form-encoded Action/Version requests,
/// XML responses <c>&lt;ActionResponse xmlns=ns&gt;&lt;ActionResult/&gt;&lt;ResponseMetadata/&gt;</c>
/// and <c>ErrorResponse</c> errors. Handlers build their result elements without a namespace;
/// the base puts them in <see cref="Namespace"/>.
/// </summary>
public abstract class QueryService(SandboxRuntime runtime) : ISandboxService
{
    private readonly Dictionary<string, (bool Mutating, Func<AwsRequestContext, QueryParameters, IEnumerable<XElement>> Handler)> _operations =
        new(StringComparer.Ordinal);

    public abstract string SigningName { get; }

    public virtual IReadOnlyCollection<string> UnsignedOperations => [];

    /// <summary>The service's XML namespace, e.g. http://rds.amazonaws.com/doc/2014-10-31/.</summary>
    protected abstract XNamespace Namespace { get; }

    /// <summary>The throttling error code the service uses (RDS and STS: Throttling; SNS: Throttled).</summary>
    protected virtual string ThrottlingCode => "Throttling";

    protected SandboxRuntime Runtime => runtime;

    public IReadOnlyCollection<string> Operations => _operations.Keys;

    public async Task HandleAsync(AwsRequestContext request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = await QueryParameters.ReadAsync(request.Http.Request);
        var action = parameters.Get("Action");
        XElement response;
        HttpStatusCode status;
        try
        {
            if (action is null || !_operations.TryGetValue(action, out var operation))
            {
                throw new AwsServiceException("InvalidAction", $"Could not find operation {action} for version {parameters.Get("Version")}");
            }

            await runtime.DelayAsync(request, action);
            // What IAM evaluates is known before any fault: a refused or throttled call was still authorized first.
            runtime.Read(() => { DescribeForIam(request, action, parameters, afterHandler: false); return true; });
            var result = runtime.Execute(request, action, operation.Mutating, ThrottlingCode, () =>
            {
                var served = operation.Handler(request, parameters).ToList();
                DescribeForIam(request, action, parameters, afterHandler: true);
                return served;
            });
            response = new XElement(
                action + "Response",
                new XElement(action + "Result", result),
                new XElement("ResponseMetadata", new XElement("RequestId", request.RequestId)));
            status = HttpStatusCode.OK;
        }
        catch (AwsServiceException error)
        {
            response = new XElement(
                "ErrorResponse",
                new XElement(
                    "Error",
                    new XElement("Type", error.SenderFault ? "Sender" : "Receiver"),
                    new XElement("Code", error.Code),
                    new XElement("Message", error.Message)),
                new XElement("RequestId", request.RequestId));
            status = error.Status;
        }

        await WriteAsync(request, InNamespace(response, Namespace), status);
    }

    /// <summary>
    /// Records in <see cref="AwsRequestContext.Authorization"/> what IAM evaluates for the call: called under the
    /// state lock before the handler (what exists: named, changed and deleted resources, request tags) and after it
    /// (what the call created).
    /// </summary>
    protected virtual void DescribeForIam(AwsRequestContext request, string action, QueryParameters parameters, bool afterHandler)
    {
    }

    /// <summary>Registers an operation; the handler returns the children of its ActionResult element.</summary>
    protected void Register(string action, bool mutating, Func<AwsRequestContext, QueryParameters, IEnumerable<XElement>> handler) =>
        _operations.Add(action, (mutating, handler));

    private static async Task WriteAsync(AwsRequestContext request, XElement body, HttpStatusCode status)
    {
        var http = request.Http.Response;
        http.StatusCode = (int)status;
        http.ContentType = "text/xml";
        http.Headers["x-amzn-RequestId"] = request.RequestId;
        await http.WriteAsync(new XDeclaration("1.0", "UTF-8", null) + Environment.NewLine + body.ToString(SaveOptions.DisableFormatting), Encoding.UTF8);
    }

    private static XElement InNamespace(XElement element, XNamespace ns)
    {
        foreach (var descendant in element.DescendantsAndSelf())
        {
            descendant.Name = ns + descendant.Name.LocalName;
        }

        return element;
    }
}

/// <summary>The form parameters of a Query request, with AWS's list and structure flattening.</summary>
public sealed partial class QueryParameters
{
    private readonly Dictionary<string, string> _values;

    public QueryParameters(IReadOnlyDictionary<string, string> values) => _values = new(values, StringComparer.Ordinal);

    public static async Task<QueryParameters> ReadAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            values[key] = value.ToString();
        }

        if (request.HasFormContentType)
        {
            foreach (var (key, value) in await request.ReadFormAsync())
            {
                values[key] = value.ToString();
            }
        }

        return new QueryParameters(values);
    }

    public string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    /// <summary>Every member as sent, flattened (Name.member.1.Key=...).</summary>
    public IReadOnlyDictionary<string, string> All => _values;

    public bool Has(string name) => _values.ContainsKey(name) || _values.Keys.Any(k => k.StartsWith(name + ".", StringComparison.Ordinal));

    public string Required(string name) =>
        Get(name) is { Length: > 0 } value ? value : throw AwsServiceException.MissingParameter(name);

    public bool? Bool(string name) => Get(name) switch
    {
        null => null,
        var v when v.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var v when v.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        var v => throw AwsServiceException.InvalidParameterValue($"Invalid boolean value {v} for {name}."),
    };

    public int? Int(string name) => Get(name) switch
    {
        null => null,
        var v when int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
        var v => throw AwsServiceException.InvalidParameterValue($"Invalid integer value {v} for {name}."),
    };

    public double? Double(string name) => Get(name) switch
    {
        null => null,
        var v when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        var v => throw AwsServiceException.InvalidParameterValue($"Invalid number {v} for {name}."),
    };

    public DateTimeOffset? Time(string name) => Get(name) switch
    {
        null => null,
        var v when DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) => t,
        var v => throw AwsServiceException.InvalidParameterValue($"Invalid timestamp {v} for {name}."),
    };

    /// <summary>A list of scalars: Name.member.1, Name.AnyMemberName.2, or flattened Name.1.</summary>
    public IReadOnlyList<string> List(string name) =>
        [.. Indexed(name).Where(e => e.Remainder.Length == 0).OrderBy(e => e.Index).Select(e => e.Value)];

    /// <summary>A list of structures: Name.member.1.Key, Name.Tag.1.Value...</summary>
    public IReadOnlyList<QueryParameters> Structures(string name) =>
        [.. Indexed(name)
            .Where(e => e.Remainder.Length > 0)
            .GroupBy(e => e.Index)
            .OrderBy(g => g.Key)
            .Select(g => new QueryParameters(g.ToDictionary(e => e.Remainder, e => e.Value, StringComparer.Ordinal)))];

    /// <summary>A nested structure: Name.Member.</summary>
    public QueryParameters? Structure(string name)
    {
        var prefix = name + ".";
        var members = _values.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[prefix.Length..], p => p.Value, StringComparer.Ordinal);
        return members.Count == 0 ? null : new QueryParameters(members);
    }

    private IEnumerable<(int Index, string Remainder, string Value)> Indexed(string name)
    {
        var pattern = IndexedPattern();
        var prefix = name + ".";
        foreach (var (key, value) in _values)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var match = pattern.Match(key[prefix.Length..]);
            if (match.Success)
            {
                yield return (int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture), match.Groups["rest"].Value, value);
            }
        }
    }

    // "member.3", "Tag.3.Key", "3" (flattened), "3.Key".
    [GeneratedRegex("^(?:[A-Za-z]+\\.)?(?<index>[0-9]+)(?:\\.(?<rest>.+))?$")]
    private static partial Regex IndexedPattern();
}

/// <summary>XML value formatting the way AWS Query services write values.</summary>
public static class QueryXml
{
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>An element, or nothing when the value is null (AWS omits absent members).</summary>
    public static XElement? Optional(string name, object? value) => value switch
    {
        null => null,
        bool b => new XElement(name, Bool(b)),
        DateTimeOffset t => new XElement(name, Timestamp(t)),
        IFormattable f => new XElement(name, f.ToString(null, CultureInfo.InvariantCulture)),
        _ => new XElement(name, value.ToString()),
    };

    /// <summary>A list element whose items are named <paramref name="itemName"/>.</summary>
    public static XElement List<T>(string name, string itemName, IEnumerable<T> items, Func<T, object> content) =>
        new(name, items.Select(i => new XElement(itemName, content(i))));
}

using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Amazon.Runtime;

namespace Rekey.Aws.Tests.Support;

/// <summary>An HTTP request as it left the SDK pipeline (signed).</summary>
internal sealed record RecordedRequest(string Method, Uri Uri, Dictionary<string, string> Headers, string Body);

/// <summary>Gives the SDK an HttpClient that records each request and answers it without a network.</summary>
internal sealed class RecordingHttp(Func<RecordedRequest, HttpResponseMessage> answer) : HttpClientFactory
{
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    private Func<RecordedRequest, HttpResponseMessage> Respond { get; } = answer;

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this), disposeHandler: true);

    // Each client gets its own HttpClient: the SDK's cache would share one between tests.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public static HttpResponseMessage Answer(HttpStatusCode status, string body, string contentType, DateTimeOffset date, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        response.Headers.Date = date;
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    private sealed class Handler(RecordingHttp owner) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content == null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
            {
                headers[name] = string.Join(",", values);
            }

            var recorded = new RecordedRequest(request.Method.Method, request.RequestUri!, headers, body);
            owner.Requests.Enqueue(recorded);
            var response = owner.Respond(recorded);
            response.RequestMessage = request;
            return response;
        }
    }
}

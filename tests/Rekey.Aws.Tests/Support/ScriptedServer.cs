using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rekey.Aws.Tests.Support;

/// <summary>One scripted answer of <see cref="ScriptedServer"/>.</summary>
internal sealed record ScriptedAnswer(int Status, string Body, string ContentType, params (string Name, string Value)[] Headers);

/// <summary>
/// A real HTTP server on a free loopback port that answers requests from a script, in order (the
/// last answer repeats), and records what it received. Stops when disposed.
/// </summary>
internal sealed class ScriptedServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ScriptedAnswer> _script;
    private readonly ScriptedAnswer _last;
    private readonly Task _loop;

    public ScriptedServer(params ScriptedAnswer[] script)
    {
        _script = new ConcurrentQueue<ScriptedAnswer>(script);
        _last = script[^1];
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Endpoint { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k != null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue(new RecordedRequest(context.Request.HttpMethod, context.Request.Url!, headers, body));

            var answer = _script.TryDequeue(out var next) ? next : _last;
            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = answer.ContentType;
            foreach (var (name, value) in answer.Headers)
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

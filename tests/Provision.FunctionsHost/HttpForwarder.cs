using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Logging;

namespace Provision.FunctionsHost;

/// <summary>
/// HTTP as the host runs it for an ASP.NET Core integrated worker: the invocation goes over gRPC (route values in its
/// trigger metadata) while the request itself is forwarded to the worker's own HTTP server, whose answer is relayed as is.
/// </summary>
internal sealed class HttpForwarder(FunctionsHost host, Uri workerUri)
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host",
    };

    private readonly HttpMessageInvoker client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    public async Task ForwardAsync(HttpContext context, HostedFunction function)
    {
        var invocationId = Guid.NewGuid().ToString();
        var metadata = new Dictionary<string, TypedData>();
        foreach (var (key, value) in context.Request.RouteValues)
        {
            metadata[key] = new TypedData { String = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "" };
        }
        var trigger = new TypedData { Http = new RpcHttp { Method = context.Request.Method, Url = context.Request.GetDisplayUrl() } };
        var invocation = host.InvokeAsync(function, trigger, metadata, context.RequestAborted, invocationId);

        using var request = Request(context, invocationId);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            host.Write($"Function.{function.Name}", LogLevel.Error, $"The worker's HTTP server did not answer: {e.Message}");
            await invocation.ContinueWith(_ => { }, TaskScheduler.Default);
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            context.Response.ContentLength = 0;
            return;
        }

        using (response)
        {
            var result = await invocation;
            if (!result.Succeeded)
            {
                // As the real host: a failed invocation is a bare 500, whatever the worker wrote.
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentLength = 0;
                return;
            }
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!NotForwarded.Contains(name))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }
            context.Response.ContentLength = response.Content.Headers.ContentLength;
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    private HttpRequestMessage Request(HttpContext context, string invocationId)
    {
        var incoming = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? incoming.Path + incoming.QueryString;
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(workerUri, target))
        {
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var hasBody = incoming.ContentLength is not null || incoming.Headers.TransferEncoding.Count > 0;
        if (hasBody)
        {
            request.Content = new StreamContent(incoming.Body);
        }
        foreach (var (name, values) in incoming.Headers)
        {
            if (NotForwarded.Contains(name) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
        if (request.Content is not null)
        {
            // A Content-Length stays one; a chunked body stays chunked.
            request.Content.Headers.ContentLength = incoming.ContentLength;
        }
        request.Headers.TryAddWithoutValidation("x-ms-invocation-id", invocationId);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        return request;
    }
}

using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Provision.Functions.Middleware;

namespace Provision.Tests.Infrastructure;

/// <summary>What a caller would receive: status, headers and the JSON body.</summary>
public sealed record HttpAnswer(int Status, IHeaderDictionary Headers, JsonElement Body)
{
    public string? Error => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("error", out var e) ? e.GetString() : null;

    public string String(string name) => Body.GetProperty(name).GetString()!;
}

/// <summary>
/// Calls a function method as the host would over HTTP: a request with a body and Authorization header,
/// exceptions answered by the same mapping the exception middleware uses, and the result executed.
/// </summary>
public static class HttpCall
{
    public static Task<HttpAnswer> PostAsync(
        IServiceProvider services, Func<HttpRequest, CancellationToken, Task<IResult>> function, object? body, string? authorization = null) =>
        PostRawAsync(services, function, body is null ? null : JsonSerializer.Serialize(body), authorization);

    public static async Task<HttpAnswer> PostRawAsync(
        IServiceProvider services, Func<HttpRequest, CancellationToken, Task<IResult>> function, string? rawBody, string? authorization = null,
        string method = "POST", string contentType = "application/json")
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("provision.example.com");
        if (rawBody is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(rawBody);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = contentType;
        }
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }
        var response = new MemoryStream();
        context.Response.Body = response;

        IResult result;
        try
        {
            result = await function(context.Request, CancellationToken.None);
        }
        catch (Exception e)
        {
            result = ErrorResults.From(e);
        }
        await result.ExecuteAsync(context);

        var text = Encoding.UTF8.GetString(response.ToArray());
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new HttpAnswer(context.Response.StatusCode, context.Response.Headers, json);
    }
}

using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Provision.Tests.Infrastructure;

/// <summary>An executed result as a client sees it: status, content type, headers and body.</summary>
public sealed record HttpResponseSnapshot(int Status, string? ContentType, IHeaderDictionary Headers, string Text)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement.Clone();
}

/// <summary>Runs a function's <see cref="IResult"/> against a <see cref="DefaultHttpContext"/>, and builds requests for functions.</summary>
public static class HttpResults
{
    private static readonly ServiceProvider RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider();

    public static async Task<HttpResponseSnapshot> ExecuteAsync(IResult result)
    {
        var context = new DefaultHttpContext { RequestServices = RequestServices };
        using var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        return new HttpResponseSnapshot(
            context.Response.StatusCode, context.Response.ContentType, context.Response.Headers, Encoding.UTF8.GetString(body.ToArray()));
    }

    public static async Task<HttpResponseSnapshot> ExecuteAsync(Task<IResult> result) => await ExecuteAsync(await result);

    /// <summary>A request with an optional body, Authorization header and query string.</summary>
    public static HttpRequest Request(string method, string? body = null, string? authorization = null, string contentType = "application/json", string? query = null)
    {
        var context = new DefaultHttpContext { RequestServices = RequestServices };
        var request = context.Request;
        request.Method = method;
        request.Path = "/test";
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            request.Body = new MemoryStream(bytes);
            request.ContentLength = bytes.Length;
            request.ContentType = contentType;
        }
        if (authorization is not null)
        {
            request.Headers.Authorization = authorization;
        }
        if (query is not null)
        {
            request.QueryString = new QueryString(query);
        }
        return request;
    }
}

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
        var request = HttpResults.Request(method, rawBody, authorization, contentType);
        request.HttpContext.RequestServices = services;
        request.Scheme = "https";
        request.Host = new HostString("provision.example.com");

        IResult result;
        try
        {
            result = await function(request, CancellationToken.None);
        }
        catch (Exception e)
        {
            result = ErrorResults.From(e);
        }

        var response = await HttpResults.ExecuteAsync(result);
        var json = response.Text.Length == 0 ? default : response.Json;
        return new HttpAnswer(response.Status, response.Headers, json);
    }
}

using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Functions;
using Provision.Functions.Middleware;

namespace Provision.Tests.Infrastructure;

/// <summary>What a caller would receive: status, headers, the raw body and, when it is JSON, the JSON body.</summary>
public sealed record HttpAnswer(int Status, IHeaderDictionary Headers, JsonElement Body, string Text = "")
{
    /// <summary>The <c>error</c> of a JSON answer, or the whole body of a plain-text one.</summary>
    public string? Error => Body.ValueKind == JsonValueKind.Object
        ? Body.TryGetProperty("error", out var e) ? e.GetString() : null
        : Text.Length > 0 ? Text : null;

    public string String(string name) => Body.GetProperty(name).GetString()!;
}

/// <summary>
/// Calls a function method as the host would over HTTP: a request to the function's own route with a body and
/// Authorization header, exceptions answered by the same mapping the exception middleware uses, and the result executed.
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
        return await SendAsync(services, function, request);
    }

    /// <summary>Sends a prepared request (e.g. with raw bytes) to the function, at the function's route.</summary>
    public static async Task<HttpAnswer> SendAsync(IServiceProvider services, Func<HttpRequest, CancellationToken, Task<IResult>> function, HttpRequest request)
    {
        request.HttpContext.RequestServices = services;
        request.Scheme = "https";
        request.Host = new HostString("provision.example.com");
        if (RouteOf(function) is { } route)
        {
            request.Path = "/" + route;
        }

        IResult result;
        try
        {
            result = await function(request, CancellationToken.None);
        }
        catch (Exception e)
        {
            result = ErrorResults.From(e, DeviceDialects.Of(request));
        }

        var response = await HttpResults.ExecuteAsync(result);
        var json = response.Text.Length > 0 && response.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true ? response.Json : default;
        return new HttpAnswer(response.Status, response.Headers, json, response.Text);
    }

    /// <summary>The route of the function method, from its HTTP trigger; null for a lambda around one.</summary>
    public static string? RouteOf(Delegate function) =>
        function.Method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>().SingleOrDefault()?.Route;
}

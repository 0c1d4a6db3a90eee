using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Provision.Core;

namespace Provision.Functions.Middleware;

/// <summary>
/// Maps the service's errors to HTTP answers for HTTP triggers, so no caller ever sees a stack trace.
/// Other triggers rethrow: the queue host's retries and poison queue depend on it.
/// </summary>
public sealed class ExceptionMiddleware(ILogger<ExceptionMiddleware> log) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.GetHttpContext() is { } http && !http.Response.HasStarted)
        {
            var (status, message, retryAfter) = Map(e);
            if (status >= 500)
            {
                log.LogError(e, "{Function} failed with {Status}", context.FunctionDefinition.Name, status);
            }
            else
            {
                log.LogInformation("{Function} refused a request with {Status}: {Reason}", context.FunctionDefinition.Name, status, message);
            }
            http.Response.Clear();
            http.Response.StatusCode = status;
            if (retryAfter is { } seconds)
            {
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(JsonSerializer.Serialize(new { error = message }));
        }
    }

    /// <summary>Status, safe message and Retry-After for an exception; unknown errors say nothing about their cause.</summary>
    public static (int Status, string Message, int? RetryAfter) Map(Exception e) => e switch
    {
        ValidationException => (StatusCodes.Status400BadRequest, e.Message, null),
        EntityNotFoundException => (StatusCodes.Status404NotFound, e.Message, null),
        EntityExistsException => (StatusCodes.Status409Conflict, e.Message, null),
        ConcurrencyException => (StatusCodes.Status409Conflict, e.Message, null),
        StorageUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Storage is unavailable. Retry later.", 10),
        _ => (StatusCodes.Status500InternalServerError, "Internal error. Retry later; if it persists, contact the operator.", null),
    };
}

using System.Globalization;
using Microsoft.AspNetCore.Http;
using Provision.Core;
using Provision.Core.Aws;

namespace Provision.Functions.Middleware;

/// <summary>The management API's error answers: RFC 7807 problem details (<c>application/problem+json</c>).</summary>
public static class ProblemResults
{
    public static IResult Problem(int status, string title, string detail, int? retryAfterSeconds = null) =>
        new ProblemResult(status, title, detail, retryAfterSeconds);

    /// <summary>The answer for an exception; one whose cause is not the caller's says nothing about it.</summary>
    public static IResult From(Exception e) => e switch
    {
        AuthenticationFailedException => Problem(StatusCodes.Status401Unauthorized, "Authentication failed",
            "Send an admin API key as \"Authorization: Bearer <key>\"."),
        ForbiddenException => Problem(StatusCodes.Status403Forbidden, "Forbidden", e.Message),
        ValidationException => Problem(StatusCodes.Status400BadRequest, "Invalid request", e.Message),
        PayloadTooLargeException => Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", e.Message),
        EntityNotFoundException => Problem(StatusCodes.Status404NotFound, "Not found", e.Message),
        EntityExistsException => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message),
        ConcurrencyException => Problem(StatusCodes.Status409Conflict, "Conflict", "It was changed by another request at the same time. Retry.", 1),
        StorageUnavailableException => Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "Storage is unavailable. Retry later.", 10),
        AwsServiceException { IsTransient: true } or AwsServiceException { Kind: AwsErrorKind.OutcomeUnknown } =>
            Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "AWS IoT is busy or unavailable. Retry later.", 10),
        AwsServiceException => Problem(StatusCodes.Status502BadGateway, "AWS refused the request", e.Message),
        _ => Problem(StatusCodes.Status500InternalServerError, "Internal error", "Internal error. Retry later; if it persists, check the logs."),
    };

    private sealed class ProblemResult(int status, string title, string detail, int? retryAfterSeconds) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (status == StatusCodes.Status401Unauthorized)
            {
                httpContext.Response.Headers.WWWAuthenticate = "Bearer";
            }
            if (retryAfterSeconds is { } seconds)
            {
                httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }
            return Results.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(httpContext);
        }
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Http;
using Provision.Core;
using Provision.Core.Aws;

namespace Provision.Functions.Middleware;

/// <summary>The device API's error answers: <c>{"error": "..."}</c>, plus <c>delay</c> and Retry-After when the caller should come back.</summary>
public static class ErrorResults
{
    public static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    public static IResult RetryLater(int status, string message, int delaySeconds) =>
        WithRetryAfter(new { error = message, delay = delaySeconds }, status, delaySeconds);

    /// <summary>A JSON answer that tells the caller, in Retry-After, when to come back.</summary>
    public static IResult WithRetryAfter(object body, int status, int retryAfterSeconds) => new RetryAfterResult(body, status, retryAfterSeconds);

    /// <summary>The answer for an exception; one whose cause is not the caller's says nothing about it.</summary>
    public static IResult From(Exception e) => e switch
    {
        AuthenticationFailedException => Error(StatusCodes.Status401Unauthorized, "Authentication failed"),
        ForbiddenException => Error(StatusCodes.Status403Forbidden, e.Message),
        ValidationException => Error(StatusCodes.Status400BadRequest, e.Message),
        PayloadTooLargeException => Error(StatusCodes.Status413PayloadTooLarge, e.Message),
        EntityNotFoundException => Error(StatusCodes.Status404NotFound, e.Message),
        EntityExistsException => Error(StatusCodes.Status409Conflict, e.Message),
        ConcurrencyException => RetryLater(StatusCodes.Status409Conflict, "The device was changed by another request. Retry.", 1),
        RateLimitedException limited => RetryLater(StatusCodes.Status429TooManyRequests, e.Message, limited.DelaySeconds),
        StorageUnavailableException => RetryLater(StatusCodes.Status503ServiceUnavailable, "Storage is unavailable. Retry later.", 10),
        AwsServiceException { IsTransient: true } or AwsServiceException { Kind: AwsErrorKind.OutcomeUnknown } =>
            RetryLater(StatusCodes.Status503ServiceUnavailable, "AWS is busy or unavailable. Retry later.", 10),
        AwsServiceException or Amazon.Runtime.AmazonClientException =>
            RetryLater(StatusCodes.Status503ServiceUnavailable, "The service cannot reach AWS with its configured identity; the operator has been told. Retry later.", 60),
        _ => Error(StatusCodes.Status500InternalServerError, "Internal error. Retry later; if it persists, contact the operator."),
    };

    private sealed class RetryAfterResult(object body, int status, int retryAfterSeconds) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Results.Json(body, statusCode: status).ExecuteAsync(httpContext);
        }
    }
}

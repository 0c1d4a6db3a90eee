using Microsoft.AspNetCore.Http;
using Provision.Core;
using Provision.Core.Aws;

namespace Provision.Functions.Middleware;

/// <summary>
/// The device API's error answers, in the dialect of the route: <c>{"error": "..."}</c> with a status, plus
/// <c>delay</c> and Retry-After when the caller should come back; on the agent's routes a wait is a 200
/// <c>{"error","delay"}</c> and an unknown token the plain text <c>Authentication failed</c>.
/// </summary>
public static class ErrorResults
{
    public const string AuthenticationFailed = "Authentication failed";

    public static IResult Error(int status, string message) => DeviceJson.Json(status, new { error = message });

    /// <summary>The caller should come back after <paramref name="delaySeconds"/>.</summary>
    public static IResult RetryLater(DeviceDialect dialect, int status, string message, int delaySeconds) => dialect == DeviceDialect.Agent
        ? DeviceJson.Ok(new { error = message, delay = delaySeconds })
        : DeviceJson.Json(status, new { error = message, delay = delaySeconds }, delaySeconds);

    public static IResult From(Exception e, DeviceDialect dialect = DeviceDialect.Provision) => e switch
    {
        AuthenticationFailedException => dialect == DeviceDialect.Agent
            ? DeviceJson.Text(StatusCodes.Status401Unauthorized, AuthenticationFailed)
            : Error(StatusCodes.Status401Unauthorized, AuthenticationFailed),
        ForbiddenException => Error(StatusCodes.Status403Forbidden, e.Message),
        ValidationException => Error(StatusCodes.Status400BadRequest, e.Message),
        PayloadTooLargeException => Error(StatusCodes.Status413PayloadTooLarge, e.Message),
        EntityNotFoundException => Error(StatusCodes.Status404NotFound, e.Message),
        EntityExistsException => Error(StatusCodes.Status409Conflict, e.Message),
        ConcurrencyException => RetryLater(dialect, StatusCodes.Status409Conflict, "The device was changed by another request. Retry.", 1),
        RateLimitedException limited => RetryLater(dialect, StatusCodes.Status429TooManyRequests, e.Message, limited.DelaySeconds),
        StorageUnavailableException => RetryLater(dialect, StatusCodes.Status503ServiceUnavailable, "Storage is unavailable. Retry later.", 10),
        AwsServiceException { IsTransient: true } or AwsServiceException { Kind: AwsErrorKind.OutcomeUnknown } =>
            RetryLater(dialect, StatusCodes.Status503ServiceUnavailable, "AWS is busy or unavailable. Retry later.", 10),
        AwsServiceException or Amazon.Runtime.AmazonClientException =>
            RetryLater(dialect, StatusCodes.Status503ServiceUnavailable, "The service cannot reach AWS with its configured identity; the operator has been told. Retry later.", 60),
        _ => Error(StatusCodes.Status500InternalServerError, "Internal error. Retry later; if it persists, contact the operator."),
    };
}

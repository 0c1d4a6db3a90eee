using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Provision.Core.Aws;

/// <summary>Retry rules for AWS calls: throttling and 5xx are retried; a lost or timed-out call only when repeating it is safe.</summary>
internal static class AwsResilience
{
    public static void ConfigureIot(ResiliencePipelineBuilder<HttpResponseMessage> builder, AwsOptions options)
    {
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.GetRequestMessage())),
            });
        }

        // Inside the retry, so each attempt gets its own time budget.
        builder.AddTimeout(options.AttemptTimeout);
    }

    public static void ConfigureSts(ResiliencePipelineBuilder builder, AwsOptions options)
    {
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // AssumeRole has no side effect that a repeat could duplicate.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception switch
                {
                    Amazon.Runtime.AmazonServiceException e => AwsServiceException.KindOf(e.ErrorCode, (int)e.StatusCode)
                        is AwsErrorKind.Throttled or AwsErrorKind.ServiceUnavailable,
                    HttpRequestException or IOException or TimeoutRejectedException => true,
                    OperationCanceledException => !args.Context.CancellationToken.IsCancellationRequested,
                    _ => false,
                }),
            });
        }

        builder.AddTimeout(options.AttemptTimeout);
    }

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request)
    {
        if (outcome.Result is { } response)
        {
            return IsRetryable(response);
        }

        var idempotent = request is null
            || !request.Options.TryGetValue(IotOperation.RequestOptionKey, out var operation)
            || operation.Idempotent;
        return outcome.Exception switch
        {
            // Nothing reached AWS, so any call can be repeated.
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => true,
            HttpRequestException or IOException or TimeoutRejectedException => idempotent,
            _ => false,
        };
    }

    private static bool IsRetryable(HttpResponseMessage response) =>
        (int)response.StatusCode >= 500
        || response.StatusCode == HttpStatusCode.TooManyRequests
        || ErrorType(response) is "ThrottlingException" or "TooManyRequestsException";

    /// <summary>The error code from x-amzn-ErrorType ("Code:namespace-uri" on the wire).</summary>
    internal static string? ErrorType(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-ErrorType", out var values)
            ? values.FirstOrDefault()?.Split(':')[0].Trim()
            : null;
}

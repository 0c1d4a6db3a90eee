using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Provision.Functions.Middleware;

/// <summary>The device API's error shape: <c>{"error": "..."}</c>, plus <c>delay</c> for throttled callers.</summary>
public static class ErrorResults
{
    public static IActionResult Error(int status, string message) =>
        new JsonResult(new { error = message }) { StatusCode = status };

    /// <summary>A 429 or 503 that tells the caller when to come back.</summary>
    public static IActionResult RetryLater(HttpResponse response, int status, string message, int delaySeconds)
    {
        response.Headers.RetryAfter = delaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new JsonResult(new { error = message, delay = delaySeconds }) { StatusCode = status };
    }
}

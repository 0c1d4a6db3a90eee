using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core.Storage;
using Provision.Functions.Middleware;

namespace Provision.Functions.Functions;

public sealed class HealthFunction(IStorageHealth health)
{
    /// <summary>Anonymous liveness and storage check for load balancers and operators.</summary>
    [Function(nameof(Health))]
    public async Task<IResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var report = await health.CheckAsync(cancellationToken);
        var roundTripMs = Math.Round(report.RoundTrip.TotalMilliseconds, 1);
        return report.Healthy
            ? Results.Json(new { status = "healthy", storageRoundTripMs = roundTripMs })
            : ErrorResults.WithRetryAfter(new { status = "unhealthy", error = report.Reason, storageRoundTripMs = roundTripMs }, StatusCodes.Status503ServiceUnavailable, 10);
    }
}

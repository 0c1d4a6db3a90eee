using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core.Storage;

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
            : DeviceJson.Json(StatusCodes.Status503ServiceUnavailable, new { status = "unhealthy", error = report.Reason, storageRoundTripMs = roundTripMs }, retryAfterSeconds: 10);
    }
}

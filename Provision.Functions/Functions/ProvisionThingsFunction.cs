using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Provision.Core;
using Provision.Core.Provisioning;
using Provision.Core.Storage;

namespace Provision.Functions.Functions;

/// <summary>Creates claimed devices' AWS IoT things and certificates. Exceptions escape so the host retries, then poisons.</summary>
public sealed class ProvisionThingsFunction(IProvisioningPipeline pipeline, ILogger<ProvisionThingsFunction> log)
{
    [Function(nameof(ProvisionThings))]
    public Task ProvisionThings(
        [QueueTrigger(ProvisioningQueue.TriggerName, Connection = "AzureWebJobsStorage")] string message,
        CancellationToken cancellationToken) => pipeline.ProvisionAsync(Parse(message), cancellationToken);

    /// <summary>A device whose message kept failing is marked Failed with the reason; a malformed message is logged and dropped.</summary>
    [Function(nameof(ProvisionThingsPoison))]
    public async Task ProvisionThingsPoison(
        [QueueTrigger(ProvisioningQueue.PoisonTriggerName, Connection = "AzureWebJobsStorage")] string message,
        CancellationToken cancellationToken)
    {
        string deviceId;
        try
        {
            deviceId = Parse(message);
        }
        catch (Exception e) when (e is JsonException or ValidationException)
        {
            // Nothing to mark Failed; failing here would only move the message on to another poison queue.
            log.LogError("Discarded a malformed provisioning message ({Length} characters): {Reason}", message.Length, e.Message);
            return;
        }
        log.LogWarning("Provisioning of {DeviceId} gave up after repeated failures", deviceId);
        await pipeline.MarkFailedAsync(deviceId, cancellationToken);
    }

    private static string Parse(string message)
    {
        var parsed = JsonSerializer.Deserialize<ProvisionThingMessage>(message, JsonSerializerOptions.Web);
        return TableKeys.Validate(parsed?.DeviceId, "device id in the queue message");
    }
}

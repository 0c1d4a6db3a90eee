using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Provision.Core.Storage;

/// <summary>The message that asks the pipeline to create a device's AWS IoT thing and certificate.</summary>
public sealed record ProvisionThingMessage(string DeviceId);

public interface IProvisioningQueue
{
    /// <summary>Queues the device's provisioning, visible after <paramref name="delay"/> (at once when null).</summary>
    Task EnqueueAsync(string deviceId, CancellationToken cancellationToken = default, TimeSpan? delay = null);
}

/// <summary>Sends to the provisioning queue as plain JSON: host.json reads messages with encoding "none".</summary>
public sealed class ProvisioningQueue(QueueServiceClient queues, IOptions<StorageOptions> options) : IProvisioningQueue
{
    /// <summary>The queue trigger's name: resolved by the host from the flat ProvisionQueueName setting.</summary>
    public const string TriggerName = "%" + StorageOptions.ProvisionQueueSetting + "%";
    public const string PoisonTriggerName = TriggerName + "-poison";

    private readonly CreateOnce<QueueClient> _queue = new(async () =>
    {
        var client = queues.GetQueueClient(options.Value.ProvisionQueue);
        await StorageCalls.RunAsync(() => client.CreateIfNotExistsAsync(), $"create queue {client.Name}");
        return client;
    });

    public async Task EnqueueAsync(string deviceId, CancellationToken cancellationToken = default, TimeSpan? delay = null)
    {
        TableKeys.Validate(deviceId, "device id");
        var queue = await _queue.GetAsync(cancellationToken);
        var body = JsonSerializer.Serialize(new ProvisionThingMessage(deviceId), JsonSerializerOptions.Web);
        await StorageCalls.RunAsync(() => queue.SendMessageAsync(body, visibilityTimeout: delay, cancellationToken: cancellationToken), $"queue provisioning of {deviceId}");
    }
}

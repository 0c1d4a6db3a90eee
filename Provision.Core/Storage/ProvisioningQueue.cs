using System.Text.Json;
using Azure.Storage.Queues;

namespace Provision.Core.Storage;

/// <summary>The message that asks the pipeline to create a device's AWS IoT thing and certificate.</summary>
public sealed record ProvisionThingMessage(string DeviceId);

public interface IProvisioningQueue
{
    Task EnqueueAsync(string deviceId, CancellationToken cancellationToken = default);
}

/// <summary>Sends to <c>provision-things</c> as plain JSON: host.json reads messages with encoding "none".</summary>
public sealed class ProvisioningQueue(QueueServiceClient queues) : IProvisioningQueue
{
    public const string Name = "provision-things";
    public const string PoisonName = Name + "-poison";

    private readonly CreateOnce<QueueClient> _queue = new(async () =>
    {
        var client = queues.GetQueueClient(Name);
        await StorageCalls.RunAsync(() => client.CreateIfNotExistsAsync(), $"create queue {Name}");
        return client;
    });

    public async Task EnqueueAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(deviceId, "device id");
        var queue = await _queue.GetAsync(cancellationToken);
        var body = JsonSerializer.Serialize(new ProvisionThingMessage(deviceId), JsonSerializerOptions.Web);
        await StorageCalls.RunAsync(() => queue.SendMessageAsync(body, cancellationToken), $"queue provisioning of {deviceId}");
    }
}

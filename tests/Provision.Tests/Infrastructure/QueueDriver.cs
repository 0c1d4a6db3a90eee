using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provision.Core.Storage;
using Provision.Functions.Functions;

namespace Provision.Tests.Infrastructure;

/// <summary>
/// Plays the Functions host's part for the provisioning queue on real Azurite: delivers each message to the
/// queue function, deletes it on success, makes it visible again on failure, and after
/// <c>maxDequeueCount</c> failures moves it to the poison queue, whose function then runs. Messages queued with a
/// visibility delay are waited for (up to a minute).
/// </summary>
public sealed class QueueDriver(IServiceProvider services, int maxDequeueCount = 5)
{
    private readonly QueueServiceClient _queues = services.GetRequiredService<QueueServiceClient>();
    private readonly string _name = services.GetRequiredService<IOptions<StorageOptions>>().Value.ProvisionQueue;
    private readonly ProvisionThingsFunction _function = ActivatorUtilities.CreateInstance<ProvisionThingsFunction>(services);

    public QueueClient Queue => _queues.GetQueueClient(_name);
    public QueueClient PoisonQueue => _queues.GetQueueClient(_name + "-poison");

    /// <summary>Runs until both queues are empty; returns the number of deliveries.</summary>
    public async Task<int> RunAsync(int maxDeliveries = 100)
    {
        await Queue.CreateIfNotExistsAsync();
        await PoisonQueue.CreateIfNotExistsAsync();
        var deliveries = 0;
        var waitUntil = DateTime.UtcNow.AddSeconds(60);
        while (deliveries < maxDeliveries)
        {
            var message = (await Queue.ReceiveMessageAsync(TimeSpan.FromSeconds(30))).Value;
            if (message is not null)
            {
                deliveries++;
                try
                {
                    await _function.ProvisionThings(message.MessageText, CancellationToken.None);
                    await Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
                catch (Exception) when (message.DequeueCount >= maxDequeueCount)
                {
                    await PoisonQueue.SendMessageAsync(message.MessageText);
                    await Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
                catch (Exception)
                {
                    await Queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
                }
                continue;
            }

            var poison = (await PoisonQueue.ReceiveMessageAsync()).Value;
            if (poison is null)
            {
                if (await PendingCountAsync() > 0 && DateTime.UtcNow < waitUntil)
                {
                    // A message queued again with a delay (after throttling) is not visible yet.
                    await Task.Delay(50);
                    continue;
                }
                return deliveries;
            }
            deliveries++;
            await _function.ProvisionThingsPoison(poison.MessageText, CancellationToken.None);
            await PoisonQueue.DeleteMessageAsync(poison.MessageId, poison.PopReceipt);
        }
        throw new InvalidOperationException($"The queues were not empty after {maxDeliveries} deliveries.");
    }

    public async Task<int> PendingCountAsync()
    {
        await Queue.CreateIfNotExistsAsync();
        return (await Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
    }
}

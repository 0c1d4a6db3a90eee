using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Logging;

namespace Provision.FunctionsHost;

/// <summary>
/// A queue trigger as the host runs it: batches of <c>batchSize</c>, a new batch when no more than
/// <c>newBatchThreshold</c> are in flight, polling backing off up to <c>maxPollingInterval</c>, a failed message visible
/// again after <c>visibilityTimeout</c>, and after <c>maxDequeueCount</c> attempts moved to <c>{queue}-poison</c>.
/// </summary>
internal sealed class QueueTrigger
{
    private static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);
    private readonly FunctionsHost host;
    private readonly HostedFunction function;
    private readonly HostJson.QueueSettings settings;
    private readonly QueueClient queue;
    private readonly QueueClient poison;
    private readonly string category;

    public QueueTrigger(FunctionsHost host, HostedFunction function)
    {
        this.host = host;
        this.function = function;
        settings = host.HostJson.Queues;
        category = $"Host.Triggers.Queue.{function.Name}";
        var connectionName = function["connection"] is { Length: > 0 } name ? name : "AzureWebJobsStorage";
        var connection = host.Settings[connectionName]
            ?? throw new InvalidOperationException($"{function.Name}: the storage connection setting '{connectionName}' is not set.");
        var service = new QueueServiceClient(connection, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var queueName = host.Settings.Resolve(function["queueName"] ?? throw new InvalidOperationException($"{function.Name} names no queue.")).ToLowerInvariant();
        queue = service.GetQueueClient(queueName);
        poison = service.GetQueueClient($"{queueName}-poison");
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var inFlight = new List<Task>();
        var delay = MinimumPollingInterval;
        while (!stopping.IsCancellationRequested)
        {
            inFlight.RemoveAll(task => task.IsCompleted);
            if (inFlight.Count > settings.NewBatchThreshold)
            {
                await Task.WhenAny(inFlight);
                continue;
            }

            var messages = await ReceiveAsync(stopping);
            if (messages.Length == 0)
            {
                await Task.Delay(delay, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxPollingInterval.Ticks));
                continue;
            }
            delay = MinimumPollingInterval;
            inFlight.AddRange(messages.Select(message => Task.Run(() => ProcessAsync(message, stopping), CancellationToken.None)));
        }
        await Task.WhenAll(inFlight);
    }

    private async Task<QueueMessage[]> ReceiveAsync(CancellationToken stopping)
    {
        try
        {
            return (await queue.ReceiveMessagesAsync(settings.BatchSize, Lease, stopping)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
        {
            host.Write(category, LogLevel.Warning, $"Could not read queue {queue.Name}: {e.Message}");
            return [];
        }
        catch (OperationCanceledException)
        {
            return [];
        }
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken stopping)
    {
        try
        {
            if (message.DequeueCount > settings.MaxDequeueCount || Decode(message) is not { } text)
            {
                await MoveToPoisonAsync(message, stopping);
                return;
            }
            var result = await host.InvokeAsync(function, new TypedData { String = text }, Metadata(message, text), stopping);
            if (result.Succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stopping);
            }
            else if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, stopping);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the message becomes visible again when its lease ends.
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
        {
            host.Write(category, LogLevel.Warning, $"Message {message.MessageId} on {queue.Name}: {e.Message}");
        }
    }

    private string? Decode(QueueMessage message)
    {
        var raw = message.Body.ToString();
        if (!settings.Base64)
        {
            return raw;
        }
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(raw));
        }
        catch (FormatException)
        {
            host.Write(category, LogLevel.Error, $"Message {message.MessageId} on {queue.Name} is not base64 as host.json's messageEncoding says.");
            return null;
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, CancellationToken stopping)
    {
        host.Write(category, LogLevel.Warning, $"Message has reached MaxDequeueCount of {settings.MaxDequeueCount}. Moving message to queue '{poison.Name}'.");
        await poison.CreateIfNotExistsAsync(cancellationToken: stopping);
        await poison.SendMessageAsync(message.Body.ToString(), cancellationToken: stopping);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stopping);
    }

    private static Dictionary<string, TypedData> Metadata(QueueMessage message, string text) => new()
    {
        ["QueueTrigger"] = new TypedData { String = text },
        ["Id"] = new TypedData { String = message.MessageId },
        ["PopReceipt"] = new TypedData { String = message.PopReceipt },
        ["DequeueCount"] = new TypedData { Json = message.DequeueCount.ToString(CultureInfo.InvariantCulture) },
        ["InsertionTime"] = Time(message.InsertedOn),
        ["ExpirationTime"] = Time(message.ExpiresOn),
        ["NextVisibleTime"] = Time(message.NextVisibleOn),
    };

    private static TypedData Time(DateTimeOffset? time) => new() { Json = JsonSerializer.Serialize(time) };
}

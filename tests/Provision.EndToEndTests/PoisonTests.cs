using Azure.Storage.Queues;
using Provision.Emulators.Aws;
using Provision.EndToEndTests.Infrastructure;

namespace Provision.EndToEndTests;

[Collection(AppCollection.Name)]
public sealed class PoisonTests(AppFixture app)
{
    [Fact]
    public async Task Provisioning_AwsKeepsFailing_MessageEndsInPoisonAndDeviceFailed()
    {
        var (productId, productToken) = await app.CreateProductAsync();
        var (deviceId, token) = await app.RegisterDeviceAsync(productId, productToken);

        using (app.Aws.Faults.Inject("CreateThing", FaultKind.InternalError))
        {
            await app.SendAsync(app.Admin(HttpMethod.Post, $"manage/devices/{deviceId}/claim", new { accountId = "acme" }), 200);
            await AppFixture.EventuallyAsync(async () =>
                (string?)(await app.SendAsync(app.Admin(HttpMethod.Get, $"manage/devices/{deviceId}"), 200))["state"] == "Failed",
                "the device marked Failed by the poison function");
        }

        var attempts = app.Host.Logs.Count(e => e.Message.StartsWith("Executed 'Functions.ProvisionThings' (Failed", StringComparison.Ordinal));
        Assert.True(attempts >= app.Host.HostJson.Queues.MaxDequeueCount, $"{attempts} failed attempts");
        Assert.Contains(app.Host.Logs, e => e.Message.Contains($"Moving message to queue '{app.QueueName}-poison'", StringComparison.Ordinal));
        var answer = await app.SendAsync(AppFixture.Device("provision/getCerts", token, new { id = deviceId }), 503);
        Assert.False(string.IsNullOrEmpty((string?)answer["error"]));
    }

    [Fact]
    public async Task MalformedMessage_FailsThenPoisonFunction_LogsAndConsumesIt()
    {
        var queues = new QueueServiceClient(app.StorageConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var queue = queues.GetQueueClient(app.QueueName);
        await queue.CreateIfNotExistsAsync();
        var marker = Guid.NewGuid().ToString("N");

        await queue.SendMessageAsync($"not json {marker}");

        await AppFixture.EventuallyAsync(() => Task.FromResult(
            app.Host.Logs.Any(e => e.Category == "Function.ProvisionThingsPoison.User" && e.Message.StartsWith("Discarded a malformed provisioning message", StringComparison.Ordinal))),
            "the poison function logging the malformed message");
        await AppFixture.EventuallyAsync(async () =>
            (await queues.GetQueueClient($"{app.QueueName}-poison").PeekMessagesAsync(32)).Value.Length == 0,
            "the poison queue drained");
        var poisonPoison = queues.GetQueueClient($"{app.QueueName}-poison-poison");
        Assert.False(await poisonPoison.ExistsAsync() && (await poisonPoison.PeekMessagesAsync(1)).Value.Length > 0);
    }
}

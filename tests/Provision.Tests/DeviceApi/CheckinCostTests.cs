using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provision.Core.Devices;
using Provision.Core.Releases;
using Provision.Core.Updates;
using Provision.Core.Storage;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

/// <summary>What a check-in costs in Table Storage requests, counted on the wire to Azurite.</summary>
public class CheckinCostTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws, overrides: services =>
{
    services.AddSingleton<RequestRecorder>();
    services.AddSingleton(sp =>
    {
        var options = new TableClientOptions();
        options.AddPolicy(sp.GetRequiredService<RequestRecorder>(), HttpPipelinePosition.PerCall);
        return new TableServiceClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString, options);
    });
})
{
    [Fact]
    public async Task Checkin_SteadyState_OneDeviceReadAndNoWrite()
    {
        var (checkin, id, token, release) = await WarmUpAsync();

        var answer = await PostAsync(checkin.Checkin, new { id, version = "1.0.0", pro = true }, $"Bearer {token}");

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Equal(release.Id, answer.String("update"));
        Assert.Equal([$"GET {DevicesTable}"], Recorded.ToArray());
    }

    [Fact]
    public async Task Checkin_PropertyChanged_OneDeviceReadAndOneMerge()
    {
        var (checkin, id, token, release) = await WarmUpAsync();

        var answer = await PostAsync(checkin.Checkin, new { id, version = "1.0.0", pro = false }, $"Bearer {token}");

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Equal([$"GET {DevicesTable}", $"PATCH {DevicesTable}"], Recorded.ToArray());
        var stored = await Services.GetRequiredService<IDeviceStore>().GetAsync(id);
        Assert.Contains("\"pro\":false", stored!.Properties);
        Assert.Equal(("1.0.0", release.Id), (stored.Version, stored.OfferedRelease));
    }

    [Fact]
    public async Task Checkin_StoredTimeOlderThanInterval_OneMergeOfTheTime()
    {
        var (checkin, id, token, _) = await WarmUpAsync();
        var devices = Services.GetRequiredService<IDeviceStore>();
        var device = await devices.GetAsync(id);
        device!.LastCheckin = DateTimeOffset.UtcNow - new CheckinOptions().WriteInterval - TimeSpan.FromMinutes(1);
        await devices.UpdateAsync(device);
        Recorded.Clear();

        await PostAsync(checkin.Checkin, new { id, version = "1.0.0", pro = true }, $"Bearer {token}");

        Assert.Equal([$"GET {DevicesTable}", $"PATCH {DevicesTable}"], Recorded.ToArray());
        var stored = await devices.GetAsync(id);
        Assert.True(stored!.LastCheckin > DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1));
    }

    /// <summary>Tables created, release data cached, the first offer counted and recorded; then the wire record is cleared.</summary>
    private async Task<(CheckinFunction Checkin, string Id, string Token, Release Release)> WarmUpAsync()
    {
        var (id, token) = await RegisterAsync();
        var release = Domain.ReleaseTests.NewRelease("2.0.0", productId: ProductId);
        await Services.GetRequiredService<IReleaseStore>().AddAsync(release);
        var checkin = Function<CheckinFunction>();
        await PostAsync(checkin.Checkin, new { id, version = "1.0.0", pro = true }, $"Bearer {token}");
        Recorded.Clear();
        return (checkin, id, token, release);
    }

    private ConcurrentQueue<string> Recorded => Services.GetRequiredService<RequestRecorder>().Requests;

    private string DevicesTable => Services.GetRequiredService<ProvisionTables>().NameOf(ProvisionTables.Devices);

    /// <summary>Records "METHOD table" for every request to Table Storage.</summary>
    public sealed class RequestRecorder : HttpPipelinePolicy
    {
        public ConcurrentQueue<string> Requests { get; } = new();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Record(HttpMessage message)
        {
            // Path: /<account>/<table>(PartitionKey='…',RowKey='…') or /<account>/<table>()
            var segment = message.Request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Last();
            var table = segment.Split('(')[0];
            Requests.Enqueue($"{message.Request.Method} {table}");
        }
    }
}

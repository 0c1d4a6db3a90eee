using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provision.Core.Releases;
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
    public async Task Checkin_SteadyState_OneDeviceReadAndOneDeviceWrite()
    {
        var (id, token) = await RegisterAsync();
        var release = Domain.ReleaseTests.NewRelease("2.0.0", productId: ProductId);
        await Services.GetRequiredService<IReleaseStore>().AddAsync(release);
        var checkin = Function<CheckinFunction>();
        // Warm up: tables created, release data cached, the first offer counted.
        await PostAsync(checkin.Checkin, new { id, version = "1.0.0" }, $"Bearer {token}");
        var recorded = Services.GetRequiredService<RequestRecorder>().Requests;
        recorded.Clear();

        var answer = await PostAsync(checkin.Checkin, new { id, version = "1.0.0", pro = true }, $"Bearer {token}");

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Equal(release.Id, answer.String("update"));
        var devicesTable = Services.GetRequiredService<ProvisionTables>().NameOf(ProvisionTables.Devices);
        Assert.Equal([$"GET {devicesTable}", $"PUT {devicesTable}"], recorded.ToArray());
    }

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

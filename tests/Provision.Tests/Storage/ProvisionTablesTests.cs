using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Provision.Core.Storage;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Storage;

public class ProvisionTablesTests
{
    [Fact]
    public async Task GetAsync_ManyConcurrentFirstUses_CreatesTableOnce()
    {
        var counter = new CreateTableCounter();
        var clientOptions = new TableClientOptions();
        clientOptions.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var service = new TableServiceClient(Azurite.Instance.ConnectionString, clientOptions);
        var prefix = TestHost.UniquePrefix();
        var tables = new ProvisionTables(service, Options.Create(new StorageOptions { TablePrefix = prefix }));
        Assert.False(await Exists(service, prefix + ProvisionTables.Devices));

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => tables.GetAsync(ProvisionTables.Devices)));
        await tables.GetAsync(ProvisionTables.Devices);

        Assert.Equal(1, counter.Creates);
        Assert.True(await Exists(service, prefix + ProvisionTables.Devices));
    }

    [Fact]
    public async Task GetAsync_StorageDownThenUp_RetriesCreation()
    {
        var prefix = TestHost.UniquePrefix();
        var down = new ProvisionTables(new TableServiceClient(Azurite.UnreachableConnectionString()), Options.Create(new StorageOptions { TablePrefix = prefix }));
        await Assert.ThrowsAsync<Provision.Core.StorageUnavailableException>(() => down.GetAsync(ProvisionTables.Devices));
        await Assert.ThrowsAsync<Provision.Core.StorageUnavailableException>(() => down.GetAsync(ProvisionTables.Devices));
    }

    private static async Task<bool> Exists(TableServiceClient service, string name)
    {
        await foreach (var _ in service.QueryAsync(TableClient.CreateQueryFilter($"TableName eq {name}")))
        {
            return true;
        }
        return false;
    }

    private sealed class CreateTableCounter : HttpPipelinePolicy
    {
        private int _creates;
        public int Creates => _creates;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Count(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Count(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Count(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Post && message.Request.Uri.Path.EndsWith("/Tables", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _creates);
            }
        }
    }
}

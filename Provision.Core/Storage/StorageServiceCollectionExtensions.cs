using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Provision.Core.Devices;
using Provision.Core.Products;
using Provision.Core.Releases;

namespace Provision.Core.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the registry, catalog and queue on the account named by <c>AzureWebJobsStorage</c>.</summary>
    public static IServiceCollection AddProvisionStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .Configure<IConfiguration>((options, configuration) =>
            {
                // The same settings the Functions host uses for its own storage, so the app needs no second account setting.
                var storage = configuration.GetSection("AzureWebJobsStorage");
                options.ConnectionString = storage.Value;
                options.TableServiceUri = UriOrNull(storage["tableServiceUri"]);
                options.QueueServiceUri = UriOrNull(storage["queueServiceUri"]);
                options.ManagedIdentityClientId = storage["clientId"];
                options.ProvisionQueue = configuration[StorageOptions.ProvisionQueueSetting] ?? options.ProvisionQueue;
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var clientOptions = new TableClientOptions();
            Tune(clientOptions);
            return string.IsNullOrWhiteSpace(options.ConnectionString)
                ? new TableServiceClient(options.TableServiceUri, Credential(options), clientOptions)
                : new TableServiceClient(options.ConnectionString, clientOptions);
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
            Tune(clientOptions);
            return string.IsNullOrWhiteSpace(options.ConnectionString)
                ? new QueueServiceClient(options.QueueServiceUri, Credential(options), clientOptions)
                : new QueueServiceClient(options.ConnectionString, clientOptions);
        });
        services.AddSingleton<ProvisionTables>();
        services.AddSingleton<IDeviceStore, TableDeviceStore>();
        services.AddSingleton<IProductStore, TableProductStore>();
        services.AddSingleton<IFleetTokenStore, TableFleetTokenStore>();
        services.AddSingleton<IReleaseStore, TableReleaseStore>();
        services.AddSingleton<IUpdateReportStore, TableUpdateReportStore>();
        services.AddSingleton<Admin.IAuditLog, TableAuditLog>();
        services.AddSingleton<IProvisioningQueue, ProvisioningQueue>();
        services.AddSingleton<IStorageHealth, StorageHealth>();
        services.AddSingleton<Limits.IUsageLimiter, Limits.TableUsageLimiter>();
        services.AddSingleton<Aws.IAwsPacer, TableAwsPacer>();
        return services;
    }

    /// <summary>How long storage may answer nothing at all before waiting callers are answered 503.</summary>
    public static readonly TimeSpan StorageSilence = TimeSpan.FromSeconds(3);

    /// <summary>How long one storage operation may take, retries included, when storage keeps answering others.</summary>
    public static readonly TimeSpan OperationLimit = TimeSpan.FromSeconds(30);

    // Device requests wait on storage: an unreachable or hung account fails them within seconds (503 + Retry-After)
    // rather than holding the device through long SDK retries; a busy one is waited for.
    private static void Tune(ClientOptions options)
    {
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.Retry.NetworkTimeout = OperationLimit;
        options.AddPolicy(new StorageDeadlinePolicy(StorageSilence, OperationLimit), HttpPipelinePosition.PerCall);
    }

    private static TokenCredential Credential(StorageOptions options) =>
        new ManagedIdentityCredential(string.IsNullOrWhiteSpace(options.ManagedIdentityClientId)
            ? ManagedIdentityId.SystemAssigned
            : ManagedIdentityId.FromUserAssignedClientId(options.ManagedIdentityClientId));

    private static Uri? UriOrNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : new Uri(value);
}

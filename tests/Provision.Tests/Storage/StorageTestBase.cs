using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Devices;
using Provision.Core.Products;
using Provision.Core.Releases;
using Provision.Core.Storage;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Storage;

/// <summary>Each test class gets its own tables on the shared Azurite, through the app's own container.</summary>
public abstract class StorageTestBase : IDisposable
{
    protected StorageTestBase()
    {
        Services = TestHost.Build(TestHost.Settings());
    }

    protected ServiceProvider Services { get; }
    protected IDeviceStore Devices => Services.GetRequiredService<IDeviceStore>();
    protected IProductStore Products => Services.GetRequiredService<IProductStore>();
    protected IReleaseStore Releases => Services.GetRequiredService<IReleaseStore>();
    protected ProvisionTables Tables => Services.GetRequiredService<ProvisionTables>();

    protected static Device NewDevice(string? id = null, string productId = "P1") => new()
    {
        Id = id ?? "D" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant(),
        ProductId = productId,
        TokenHash = new string('0', 64),
        Created = DateTimeOffset.UtcNow,
    };

    public void Dispose()
    {
        Services.Dispose();
        GC.SuppressFinalize(this);
    }
}

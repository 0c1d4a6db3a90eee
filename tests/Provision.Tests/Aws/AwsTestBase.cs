using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Aws;
using Provision.Emulators.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

/// <summary>Tests in the AWS collection run one at a time against one emulator; each starts with a clean journal and no faults.</summary>
[Collection(AwsCollection.Name)]
public abstract class AwsTestBase : IDisposable
{
    protected AwsTestBase(AwsEmulatorFixture fixture)
    {
        Fixture = fixture;
        fixture.Emulator.Reset();
        Services = fixture.CreateServices();
        Iot = Services.GetRequiredService<IIotClient>();
    }

    protected AwsEmulatorFixture Fixture { get; }

    protected AwsEmulator Emulator => Fixture.Emulator;

    protected ServiceProvider Services { get; }

    protected IIotClient Iot { get; }

    protected static string NewName(string prefix = "thing") => $"{prefix}-{Guid.NewGuid():N}";

    protected Task<IotThing> CreateThingAsync(string? name = null) =>
        Iot.CreateThingAsync(new IotThingSpec(name ?? NewName(), "prod1", "acct1"));

    public void Dispose()
    {
        Services.Dispose();
        GC.SuppressFinalize(this);
    }
}

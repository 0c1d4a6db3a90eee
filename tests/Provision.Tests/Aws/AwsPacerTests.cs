using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

/// <summary>The storage-shared AWS pacer on real Azurite; two containers over the same tables stand for two app instances.</summary>
public sealed class AwsPacerTests : IDisposable
{
    private const double Quota = 20;
    private readonly string _operation = "Op" + Guid.NewGuid().ToString("N")[..10];
    private readonly List<ServiceProvider> _instances = [];
    private readonly Dictionary<string, string?> _settings = TestHost.Settings();

    private IAwsPacer NewInstance()
    {
        var settings = _settings;
        settings[$"AwsPacing:Quotas:{_operation}"] = Quota.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["AwsPacing:QuotaUse"] = "1";
        var services = TestHost.Build(settings);
        _instances.Add(services);
        return services.GetRequiredService<IAwsPacer>();
    }

    [Fact]
    public async Task WaitTurn_TwoInstancesAtOnce_TogetherKeepThePace()
    {
        var (first, second) = (NewInstance(), NewInstance());
        await first.WaitTurnAsync(_operation);
        var watch = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? first : second).WaitTurnAsync(_operation)));

        // Ten more turns after the first, one interval apart, whichever instance takes them (the first may have
        // returned late, so one interval is allowed for it); two separate paces would take half as long.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(9 / Quota), $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task WaitTurn_OperationWithoutQuota_DoesNotWait()
    {
        var pacer = NewInstance();
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < 20; i++)
        {
            await pacer.WaitTurnAsync("NoSuchOperation");
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Interval_DefaultQuota_IsJustUnderIt()
    {
        var options = new AwsPacingOptions();

        Assert.Equal(1 / (10 * 0.98), options.Interval("CreateKeysAndCertificate").TotalSeconds, precision: 6);
    }

    public void Dispose()
    {
        foreach (var instance in _instances)
        {
            instance.Dispose();
        }
    }
}

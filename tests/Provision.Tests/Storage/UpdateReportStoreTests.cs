using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Provision.Core.Releases;
using Provision.Core.Storage;
using Provision.Tests.Infrastructure;
using Provision.Tests.Releases;

namespace Provision.Tests.Storage;

/// <summary>Update reports, release counters and update limits on real Azurite; two containers over the same tables stand for two app instances.</summary>
public sealed class UpdateReportStoreTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-01-01T00:10:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly Dictionary<string, string?> _settings = TestHost.Settings();
    private readonly List<ServiceProvider> _instances = [];
    private readonly IUpdateReportStore _first;
    private readonly IUpdateReportStore _second;

    public UpdateReportStoreTests()
    {
        _first = NewInstance().GetRequiredService<IUpdateReportStore>();
        _second = NewInstance().GetRequiredService<IUpdateReportStore>();
    }

    private ServiceProvider NewInstance()
    {
        var services = TestHost.Build(_settings, s => s.AddSingleton<TimeProvider>(_clock));
        _instances.Add(services);
        return services;
    }

    private IUpdateReportStore Instance(int n) => n % 2 == 0 ? _first : _second;

    private static Release NewRelease(int? maxDevices = null, int? maxUpdates = null, int? period = null)
    {
        var release = Facts.Release("1.1.0", id: "R" + Guid.NewGuid().ToString("N")[..12]);
        release.MaxDevices = maxDevices;
        release.MaxUpdates = maxUpdates;
        release.Period = period;
        return release;
    }

    private static IEnumerable<string> DeviceIds(int count) => Enumerable.Range(0, count).Select(n => $"device-{n:D3}");

    [Fact]
    public async Task AdmitOffer_ConcurrentFirstOffersFromTwoInstances_CountedExactly()
    {
        var release = NewRelease();

        var admissions = await Task.WhenAll(DeviceIds(60).Select((id, n) => Instance(n).AdmitOfferAsync(release, id)));

        Assert.All(admissions, a => Assert.Equal(OfferAdmission.Counted, a));
        Assert.Equal(new ReleaseCounters(60, 0, 0), await _first.CountAsync(release.Id));
    }

    [Fact]
    public async Task AdmitOffer_SameDeviceConcurrently_CountedOnceAndNoPlaceLost()
    {
        var release = NewRelease(maxDevices: 5);

        var admissions = await Task.WhenAll(Enumerable.Range(0, 12).Select(n => Instance(n).AdmitOfferAsync(release, "device-1")));
        var others = await Task.WhenAll(DeviceIds(10).Select((id, n) => Instance(n).AdmitOfferAsync(release, id)));

        // Concurrent duplicates may be told "not now" while places are held, but the device is counted once
        // and every place they held is given back.
        Assert.Single(admissions, OfferAdmission.Counted);
        Assert.Equal(OfferAdmission.AlreadyCounted, await _second.AdmitOfferAsync(release, "device-1"));
        Assert.Equal(4, others.Count(a => a == OfferAdmission.Counted));
        Assert.Equal(new ReleaseCounters(5, 0, 0), await _first.CountAsync(release.Id));
    }

    [Fact]
    public async Task AdmitOffer_MaxDevicesUnderConcurrency_ExactlyThatManyCounted()
    {
        var release = NewRelease(maxDevices: 7);

        var admissions = await Task.WhenAll(DeviceIds(30).Select((id, n) => Instance(n).AdmitOfferAsync(release, id)));

        Assert.Equal(7, admissions.Count(a => a == OfferAdmission.Counted));
        Assert.Equal(23, admissions.Count(a => a == OfferAdmission.LimitReached));
        Assert.Equal(new ReleaseCounters(7, 0, 0), await _second.CountAsync(release.Id));
    }

    [Fact]
    public async Task AdmitOffer_MaxDevicesReached_DeviceCountedBeforeStillAdmitted()
    {
        var release = NewRelease(maxDevices: 1);
        await _first.AdmitOfferAsync(release, "device-1");

        Assert.Equal(OfferAdmission.LimitReached, await _second.AdmitOfferAsync(release, "device-2"));
        Assert.Equal(OfferAdmission.AlreadyCounted, await _second.AdmitOfferAsync(release, "device-1"));
    }

    [Fact]
    public async Task AdmitOffer_MaxUpdatesPerPeriod_RefusedUntilTheNextPeriod()
    {
        var release = NewRelease(maxUpdates: 4, period: 3600);

        var firstHour = await Task.WhenAll(DeviceIds(10).Select((id, n) => Instance(n).AdmitOfferAsync(release, id)));
        _clock.Advance(TimeSpan.FromMinutes(49)); // 00:59: same period
        var late = await _first.AdmitOfferAsync(release, "device-late");
        _clock.Advance(TimeSpan.FromMinutes(1));  // 01:00: next period
        var secondHour = await Task.WhenAll(DeviceIds(10).Select((id, n) => Instance(n).AdmitOfferAsync(release, id)));

        Assert.Equal(4, firstHour.Count(a => a == OfferAdmission.Counted));
        Assert.Equal(OfferAdmission.LimitReached, late);
        Assert.Equal(4, secondHour.Count(a => a == OfferAdmission.Counted));
        Assert.Equal(4, secondHour.Count(a => a == OfferAdmission.AlreadyCounted));
        Assert.Equal(new ReleaseCounters(8, 0, 0), await _first.CountAsync(release.Id));
    }

    [Fact]
    public async Task AdmitOffer_BothLimits_TheTighterOneHolds()
    {
        var release = NewRelease(maxDevices: 6, maxUpdates: 4, period: 60);

        var admitted = 0;
        for (var minute = 0; minute < 3; minute++)
        {
            var round = await Task.WhenAll(DeviceIds(10).Select(id => $"{id}-{minute}").Select((id, n) => Instance(n).AdmitOfferAsync(release, id)));
            admitted += round.Count(a => a == OfferAdmission.Counted);
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(6, admitted);
    }

    [Fact]
    public async Task RecordOutcome_ConcurrentReportsFromTwoInstances_CountedExactly()
    {
        var release = NewRelease();
        var ids = DeviceIds(40).ToList();
        await Task.WhenAll(ids.Select((id, n) => Instance(n).AdmitOfferAsync(release, id)));

        await Task.WhenAll(ids.Select((id, n) => Instance(n).RecordOutcomeAsync(release.Id, id, success: n % 4 != 0)));

        Assert.Equal(new ReleaseCounters(40, 30, 10), await _first.CountAsync(release.Id));
    }

    [Fact]
    public async Task RecordOutcome_FailureThenSuccessAndRepeats_DeviceCountedOnceByLatest()
    {
        var release = NewRelease();
        await _first.AdmitOfferAsync(release, "device-1");

        await _first.RecordOutcomeAsync(release.Id, "device-1", success: false);
        await _second.RecordOutcomeAsync(release.Id, "device-1", success: true);
        await _first.RecordOutcomeAsync(release.Id, "device-1", success: true);
        await _second.RecordOutcomeAsync(release.Id, "device-2", success: true); // reported without an offer recorded

        Assert.Equal(new ReleaseCounters(2, 2, 0), await _first.CountAsync(release.Id));
        Assert.Equal(UpdateStatus.Succeeded, await _second.GetAsync(release.Id, "device-1"));
    }

    [Fact]
    public async Task Reports_OfOneRelease_SpreadOverDevicePartitionsAndCountedFromShards()
    {
        var release = NewRelease();
        await Task.WhenAll(DeviceIds(20).Select((id, n) => Instance(n).AdmitOfferAsync(release, id)));
        var tables = _instances[0].GetRequiredService<ProvisionTables>();

        var reports = await tables.GetAsync(ProvisionTables.Reports);
        var counters = await tables.GetAsync(ProvisionTables.ReleaseCounters);
        var reportPartitions = new HashSet<string>();
        await foreach (var report in reports.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {release.Id}")))
        {
            reportPartitions.Add(report.PartitionKey);
        }
        var shards = new List<TableEntity>();
        await foreach (var shard in counters.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {"counts"}")))
        {
            shards.Add(shard);
        }

        Assert.Equal(20, reportPartitions.Count);
        Assert.InRange(shards.Count, 2, TableUpdateReportStore.Shards);
        Assert.Equal(20, shards.Sum(s => s.GetInt32("Offered")));
    }

    [Fact]
    public async Task Count_NoReports_AllZero()
    {
        Assert.Equal(new ReleaseCounters(0, 0, 0), await _first.CountAsync(NewRelease().Id));
    }

    public void Dispose()
    {
        foreach (var instance in _instances)
        {
            instance.Dispose();
        }
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Provision.Core;
using Provision.Core.Limits;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Limits;

/// <summary>The storage-backed limiter on real Azurite; two containers over the same tables stand for two app instances.</summary>
public sealed class UsageLimiterTests : IDisposable
{
    private static readonly LimitRule Rule = new("test", 3, TimeSpan.FromMinutes(1), "Too many test calls. Retry after the delay.");

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly Dictionary<string, string?> _settings = TestHost.Settings();
    private readonly List<ServiceProvider> _instances = [];

    private IUsageLimiter NewInstance()
    {
        var services = TestHost.Build(_settings, s => s.AddSingleton<TimeProvider>(_clock));
        _instances.Add(services);
        return services.GetRequiredService<IUsageLimiter>();
    }

    private static string Key() => "K" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task TryAcquire_WithinPermits_Allows()
    {
        var limiter = NewInstance();
        var key = Key();

        for (var i = 0; i < Rule.Permits; i++)
        {
            Assert.True((await limiter.TryAcquireAsync(Rule, key)).Allowed);
        }
    }

    [Fact]
    public async Task TryAcquire_OverPermits_RefusesUntilWindowEnds()
    {
        var limiter = NewInstance();
        var key = Key();
        for (var i = 0; i < Rule.Permits; i++)
        {
            await limiter.TryAcquireAsync(Rule, key);
        }
        _clock.Advance(TimeSpan.FromSeconds(20));

        var refused = await limiter.TryAcquireAsync(Rule, key);

        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(40), refused.RetryAfter);
        Assert.Equal(40, refused.DelaySeconds);
    }

    [Fact]
    public async Task TryAcquire_AfterWindow_AllowsAgain()
    {
        var limiter = NewInstance();
        var key = Key();
        for (var i = 0; i < Rule.Permits; i++)
        {
            await limiter.TryAcquireAsync(Rule, key);
        }
        _clock.Advance(Rule.Window);

        Assert.True((await limiter.TryAcquireAsync(Rule, key)).Allowed);
    }

    [Fact]
    public async Task TryAcquire_OtherKeyOrRule_CountsSeparately()
    {
        var limiter = NewInstance();
        var key = Key();
        for (var i = 0; i < Rule.Permits; i++)
        {
            await limiter.TryAcquireAsync(Rule, key);
        }

        Assert.True((await limiter.TryAcquireAsync(Rule, Key())).Allowed);
        Assert.True((await limiter.TryAcquireAsync(new LimitRule("other", Rule.Permits, Rule.Window, Rule.Refusal), key)).Allowed);
    }

    [Fact]
    public async Task TryAcquire_TwoInstances_ShareOneCount()
    {
        var first = NewInstance();
        var second = NewInstance();
        var key = Key();

        await first.TryAcquireAsync(Rule, key);
        await second.TryAcquireAsync(Rule, key);
        await first.TryAcquireAsync(Rule, key);

        Assert.False((await second.TryAcquireAsync(Rule, key)).Allowed);
    }

    [Fact]
    public async Task TryAcquire_ConcurrentCallers_GrantExactlyThePermits()
    {
        var instances = new[] { NewInstance(), NewInstance() };
        var rule = new LimitRule(Rule.Name, 5, Rule.Window, Rule.Refusal);
        var key = Key();

        var decisions = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => instances[i % 2].TryAcquireAsync(rule, key)));

        Assert.InRange(decisions.Count(d => d.Allowed), 1, rule.Permits);
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.InRange(d.DelaySeconds, 1, 60));
        // Once the racing settles, the count is exact: nothing beyond the permits is ever granted in the window.
        var granted = decisions.Count(d => d.Allowed);
        for (var i = granted; i < rule.Permits; i++)
        {
            Assert.True((await instances[0].TryAcquireAsync(rule, key)).Allowed);
        }
        Assert.False((await instances[1].TryAcquireAsync(rule, key)).Allowed);
    }

    [Fact]
    public async Task Acquire_WhenLimited_ThrowsRateLimitedWithRefusalAndDelay()
    {
        var limiter = NewInstance();
        var key = Key();
        for (var i = 0; i < Rule.Permits; i++)
        {
            await limiter.AcquireAsync(Rule, key);
        }

        var limited = await Assert.ThrowsAsync<RateLimitedException>(() => limiter.AcquireAsync(Rule, key));

        Assert.Equal(Rule.Refusal, limited.Message);
        Assert.Equal(60, limited.DelaySeconds);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task TryAcquire_KeyNotStorable_ThrowsValidation(string key)
    {
        var limiter = NewInstance();

        await Assert.ThrowsAsync<ValidationException>(() => limiter.TryAcquireAsync(Rule, key));
    }

    public void Dispose()
    {
        foreach (var instance in _instances)
        {
            instance.Dispose();
        }
    }
}

using Azure;
using Azure.Data.Tables;
using Provision.Core.Storage;

namespace Provision.Core.Limits;

/// <summary>
/// Fixed-window counters in the Limits table: one entity per key (partition) and rule (row), changed only by
/// conditional writes (insert, or replace with the ETag read), so concurrent instances never grant more than the rule allows.
/// A permitted use costs one read and one write; a refused one a single read.
/// </summary>
public sealed class TableUsageLimiter(ProvisionTables tables, TimeProvider clock) : IUsageLimiter
{
    // Writers racing on one key retry with a fresh read; losing this many times in a row means the key is being hammered.
    private const int MaxAttempts = 8;
    private static readonly TimeSpan ContendedDelay = TimeSpan.FromSeconds(1);

    public async Task<LimitDecision> TryAcquireAsync(LimitRule rule, string key, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(key, "limit key");
        TableKeys.Validate(rule.Name, "limit name");
        var table = await tables.GetAsync(ProvisionTables.Limits, cancellationToken);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var read = await StorageCalls.RunAsync(
                () => table.GetEntityIfExistsAsync<TableEntity>(key, rule.Name, cancellationToken: cancellationToken), $"read limit {rule.Name}");
            var now = clock.GetUtcNow();
            var counter = read.HasValue ? read.Value! : null;
            var windowStart = counter?.GetDateTimeOffset("WindowStart") ?? DateTimeOffset.MinValue;
            var used = counter?.GetInt32("Used") ?? 0;
            if (now >= windowStart + rule.Window)
            {
                (windowStart, used) = (now, 0);
            }
            if (used >= rule.Permits)
            {
                return new LimitDecision(false, windowStart + rule.Window - now);
            }
            var next = new TableEntity(key, rule.Name) { ["WindowStart"] = windowStart, ["Used"] = used + 1 };
            if (await StorageCalls.TryWriteAsync(table, next, counter?.ETag, $"count limit {rule.Name}", cancellationToken))
            {
                return LimitDecision.Allow;
            }
        }
        return new LimitDecision(false, ContendedDelay);
    }
}

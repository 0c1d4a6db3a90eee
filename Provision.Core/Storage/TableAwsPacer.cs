using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Provision.Core.Aws;

namespace Provision.Core.Storage;

/// <summary>
/// The AWS pace kept in the Limits table, so it holds however far the app scales out. Time is cut into turns one
/// interval long; a caller owns a turn by inserting its row (an insert succeeds once, whoever races for it), then
/// waits until the turn comes. Turns in the past are never taken, so a pause does not allow a burst above the quota.
/// Within an instance, callers of one operation claim distinct turns, each after the last one claimed.
/// </summary>
public sealed class TableAwsPacer(ProvisionTables tables, IOptions<AwsPacingOptions> options, TimeProvider clock) : IAwsPacer
{
    private const string PartitionPrefix = "aws-pace-";

    // Turns this far behind the newest are deleted by whoever takes a turn, so each operation keeps a handful of rows.
    private const long KeptTurns = 64;

    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    public async Task WaitTurnAsync(string operation, CancellationToken cancellationToken = default)
    {
        var interval = options.Value.Interval(operation);
        if (interval <= TimeSpan.Zero)
        {
            return;
        }
        var turn = await TakeTurnAsync(operation, interval, cancellationToken);
        var wait = TimeOf(turn, interval) - clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, cancellationToken);
        }
    }

    private async Task<long> TakeTurnAsync(string operation, TimeSpan interval, CancellationToken cancellationToken)
    {
        TableKeys.Validate(operation, "AWS operation");
        var table = await tables.GetAsync(ProvisionTables.Limits, cancellationToken);
        var gate = _gates.GetOrAdd(operation, _ => new Gate());
        // Callers in this instance claim distinct turns at once, so a slow storage round trip does not slow the pace.
        var turn = gate.Next(clock.GetUtcNow().UtcTicks / interval.Ticks + 1);
        while (!await TryInsertAsync(table, operation, turn, cancellationToken))
        {
            // Another instance owns this turn: try a later one.
            turn = gate.Next(turn + 1);
        }
        await StorageCalls.RunAsync(
            () => table.DeleteEntityAsync(PartitionPrefix + operation, RowOf(turn - KeptTurns), ETag.All, cancellationToken),
            $"forget an old turn of {operation}");
        return turn;
    }

    private static async Task<bool> TryInsertAsync(TableClient table, string operation, long turn, CancellationToken cancellationToken)
    {
        try
        {
            await StorageCalls.RunAsync(
                () => table.AddEntityAsync(new TableEntity(PartitionPrefix + operation, RowOf(turn)), cancellationToken), $"take a turn of {operation}");
            return true;
        }
        catch (EntityExistsException)
        {
            return false;
        }
    }

    private static DateTimeOffset TimeOf(long turn, TimeSpan interval) => new(turn * interval.Ticks, TimeSpan.Zero);

    private static string RowOf(long turn) => turn.ToString("D19", CultureInfo.InvariantCulture);

    private sealed class Gate
    {
        private readonly Lock _lock = new();
        private long _last;

        /// <summary>The first turn not before <paramref name="earliest"/> and after every turn this instance claimed.</summary>
        public long Next(long earliest)
        {
            lock (_lock)
            {
                _last = Math.Max(earliest, _last + 1);
                return _last;
            }
        }
    }
}

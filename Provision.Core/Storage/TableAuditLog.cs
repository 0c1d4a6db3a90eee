using System.Globalization;
using Azure.Data.Tables;
using Provision.Core.Admin;

namespace Provision.Core.Storage;

/// <summary>Audit entries partitioned by subject; row keys count down in time, so a partition reads newest first.</summary>
public sealed class TableAuditLog(ProvisionTables tables, TimeProvider clock) : IAuditLog
{
    public async Task RecordAsync(string subject, string action, string actor, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(subject, "audit subject");
        var table = await tables.GetAsync(ProvisionTables.Audit, cancellationToken);
        var now = clock.GetUtcNow();
        var row = (DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var entity = new TableEntity(subject, row) { ["Action"] = action, ["Actor"] = actor, ["At"] = now };
        await StorageCalls.RunAsync(() => table.AddEntityAsync(entity, cancellationToken), $"record audit entry for {subject}");
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string subject, int max, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(subject, "audit subject");
        if (max is < 1 or > 1000)
        {
            throw new ValidationException("pageSize must be a whole number between 1 and 1000.");
        }
        var table = await tables.GetAsync(ProvisionTables.Audit, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {subject}");
        return await StorageCalls.RunAsync(async () =>
        {
            var entries = new List<AuditEntry>();
            await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: max, cancellationToken: cancellationToken))
            {
                entries.Add(new AuditEntry(subject, e.GetString("Action"), e.GetString("Actor"), e.GetDateTimeOffset("At") ?? default));
                if (entries.Count >= max)
                {
                    break;
                }
            }
            return entries;
        }, $"read audit of {subject}");
    }
}

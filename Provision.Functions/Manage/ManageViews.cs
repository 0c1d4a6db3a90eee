using Microsoft.AspNetCore.Http;
using Provision.Core;
using Provision.Core.Admin;
using Provision.Core.Devices;
using Provision.Core.Products;
using Provision.Core.Releases;

namespace Provision.Functions.Manage;

/// <summary>What the management API answers. Secrets appear only in the answer that creates them.</summary>
public static class ManageViews
{
    public const int DefaultPageSize = 100;

    public sealed record ProductView(
        string Id, string Name, string? PolicyName, string? ThingType, string? ThingGroup, string Reregistration,
        IReadOnlyList<string> AutoClaimAccounts, DateTimeOffset Created, string? Token = null);

    public sealed record FleetTokenView(string Id, string ProductId, string Name, DateTimeOffset Created, DateTimeOffset? Revoked, string? Token = null);

    public sealed record DeviceView(
        string Id, string ProductId, string State, string? AccountId, string? ThingName, string? CertificateId, string? CertificateArn,
        string? Version, DateTimeOffset? LastCheckin, string? FailureReason, DateTimeOffset? ProvisionRequested,
        DateTimeOffset Created, DateTimeOffset Updated, string? Token = null);

    public sealed record CountersView(int Offered, int Succeeded, int Failed);

    public sealed record ReleaseView(
        string Id, string ProductId, string Version, string Url, string Checksum, bool TestOnly, string? Policy, int Rollout,
        int? MaxDevices, int? MaxUpdates, int? Period, bool Enabled, DateTimeOffset Created, CountersView Counters);

    public sealed record AdminKeyView(string Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset Created, DateTimeOffset? Revoked, string? Key = null);

    public sealed record PageView<T>(IReadOnlyList<T> Items, string? ContinuationToken);

    public sealed record ImportedView(int? Line, int? Index, string Id, string Token);

    public sealed record ImportErrorView(int? Line, int? Index, string? Id, string Error);

    public sealed record ImportView(int Created, int Rejected, IReadOnlyList<ImportedView> Devices, IReadOnlyList<ImportErrorView> Errors);

    public static IResult Ok(object value) => Results.Json(value, DeviceJson.Options);

    public static IResult Created(object value) => Results.Json(value, DeviceJson.Options, statusCode: StatusCodes.Status201Created);

    public static ProductView Of(Product p, string? token = null) =>
        new(p.Id, p.Name, p.PolicyName, p.ThingType, p.ThingGroup, p.Reregistration.ToString().ToLowerInvariant(), p.AutoClaimAccounts, p.Created, token);

    public static FleetTokenView Of(FleetToken t, string? token = null) => new(t.Id, t.ProductId, t.Name, t.Created, t.Revoked, token);

    public static DeviceView Of(Device d, string? token = null) =>
        new(d.Id, d.ProductId, d.State.ToString(), d.AccountId, d.ThingName, d.CertificateId, d.CertificateArn,
            d.Version, d.LastCheckin, d.FailureReason, d.ProvisionRequested, d.Created, d.Updated, token);

    public static ReleaseView Of(ReleaseStatus s) =>
        new(s.Release.Id, s.Release.ProductId, s.Release.Version, s.Release.Url, s.Release.Checksum, s.Release.TestOnly,
            s.Release.Policy, s.Release.Rollout, s.Release.MaxDevices, s.Release.MaxUpdates, s.Release.Period, s.Release.Enabled, s.Release.Created,
            new CountersView(s.Counters.Offered, s.Counters.Succeeded, s.Counters.Failed));

    public static AdminKeyView Of(AdminKey k, string? key = null) => new(k.Id, k.Name, k.Scopes, k.Created, k.Revoked, key);

    public static PageView<TView> Of<T, TView>(ResultPage<T> page, Func<T, TView> view) =>
        new(page.Items.Select(view).ToList(), page.ContinuationToken);

    public static ImportView Of(DeviceImportReport report)
    {
        var csv = report.Format == DeviceImportFormat.Csv;
        return new ImportView(
            report.Created.Count,
            report.Errors.Count,
            report.Created.Select(d => new ImportedView(csv ? d.Position : null, csv ? null : d.Position, d.Id, d.Token)).ToList(),
            report.Errors.Select(e => new ImportErrorView(csv ? e.Position : null, csv ? null : e.Position, e.Id, e.Reason)).ToList());
    }

    /// <summary>?pageSize= (default <see cref="DefaultPageSize"/>).</summary>
    public static int PageSize(HttpRequest request)
    {
        var value = request.Query["pageSize"].ToString();
        if (value.Length == 0)
        {
            return DefaultPageSize;
        }
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size)
            ? size
            : throw new ValidationException("pageSize must be a whole number between 1 and 1000.");
    }

    public static string? ContinuationToken(HttpRequest request) =>
        request.Query["continuationToken"].ToString() is { Length: > 0 } token ? token : null;

    /// <summary>?state= by name, any case; absent means every state.</summary>
    public static DeviceState? State(HttpRequest request)
    {
        var value = request.Query["state"].ToString();
        if (value.Length == 0)
        {
            return null;
        }
        var name = Enum.GetNames<DeviceState>().FirstOrDefault(n => n.Equals(value, StringComparison.OrdinalIgnoreCase))
            ?? throw new ValidationException($"state must be one of {string.Join(", ", Enum.GetNames<DeviceState>())}.");
        return Enum.Parse<DeviceState>(name);
    }
}

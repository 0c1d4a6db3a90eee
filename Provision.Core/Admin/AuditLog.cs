namespace Provision.Core.Admin;

/// <summary>One management action: what was done to which device, product or key, by which admin key, when.</summary>
public sealed record AuditEntry(string Subject, string Action, string Actor, DateTimeOffset At);

/// <summary>The subjects audit entries are kept under.</summary>
public static class AuditSubjects
{
    public static string Device(string deviceId) => $"device:{deviceId}";
    public static string Product(string productId) => $"product:{productId}";
    public static string AdminKey(string keyId) => $"key:{keyId}";
}

public interface IAuditLog
{
    Task RecordAsync(string subject, string action, string actor, CancellationToken cancellationToken = default);

    /// <summary>A subject's entries, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(string subject, int max, CancellationToken cancellationToken = default);
}

using System.Collections.Concurrent;

namespace Provision.Emulators.Aws;

public enum CertificateStatus
{
    ACTIVE,
    INACTIVE,
    REVOKED,
}

public sealed class EmulatedThing(string name, string arn, string id, string? thingTypeName, IReadOnlyDictionary<string, string> attributes)
{
    public string Name { get; } = name;

    public string Arn { get; } = arn;

    public string Id { get; } = id;

    public string? ThingTypeName { get; } = thingTypeName;

    public IReadOnlyDictionary<string, string> Attributes { get; } = attributes;

    public long Version { get; set; } = 1;

    /// <summary>Attached principal ARNs, in attachment order.</summary>
    public List<string> Principals { get; } = [];

    public HashSet<string> Groups { get; } = [];
}

public sealed class EmulatedCertificate(string id, string arn, string pem, CertificateStatus status, DateTimeOffset created)
{
    public string Id { get; } = id;

    public string Arn { get; } = arn;

    public string Pem { get; } = pem;

    public CertificateStatus Status { get; set; } = status;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset LastModified { get; set; } = created;
}

public sealed record EmulatedPolicy(string Name, string Arn, string Document, DateTimeOffset Created);

public sealed record PublishedMessage(string Topic, byte[] Payload, int Qos, bool Retain, DateTimeOffset Timestamp);

public sealed record AssumedRoleSession(
    string Operation,
    string RoleArn,
    string RoleSessionName,
    int DurationSeconds,
    IReadOnlyDictionary<string, string> Tags,
    string AccessKeyId,
    DateTimeOffset Expiration);

/// <summary>What the emulated account holds. Guarded by <see cref="Gate"/> for multi-step changes.</summary>
public sealed class EmulatorState
{
    internal object Gate { get; } = new();

    public ConcurrentDictionary<string, EmulatedThing> Things { get; } = new();

    public ConcurrentDictionary<string, EmulatedCertificate> Certificates { get; } = new();

    public ConcurrentDictionary<string, EmulatedPolicy> Policies { get; } = new();

    /// <summary>Thing group name → ARN.</summary>
    public ConcurrentDictionary<string, string> ThingGroups { get; } = new();

    /// <summary>Target (certificate ARN) → attached policy names.</summary>
    public ConcurrentDictionary<string, HashSet<string>> PolicyAttachments { get; } = new();

    public ConcurrentQueue<PublishedMessage> PublishedMessages { get; } = new();

    public ConcurrentQueue<AssumedRoleSession> Sessions { get; } = new();

    /// <summary>IAM OpenID Connect providers by URL (the issuer without https://).</summary>
    public ConcurrentDictionary<string, OpenIdConnectProvider> OpenIdConnectProviders { get; } = new();

    /// <summary>Trust policy documents of IAM roles, by role ARN: who may assume the role with a web identity.</summary>
    public ConcurrentDictionary<string, string> RoleTrustPolicies { get; } = new();

    /// <summary>Temporary credentials STS issued: access key → (secret, session token, expiration, caller ARN).</summary>
    internal ConcurrentDictionary<string, TemporaryCredentials> TemporaryCredentials { get; } = new();

    public IReadOnlyCollection<string> PoliciesAttachedTo(string targetArn)
    {
        lock (Gate)
        {
            return PolicyAttachments.TryGetValue(targetArn, out var names) ? [.. names] : [];
        }
    }
}

internal sealed record TemporaryCredentials(string SecretAccessKey, string SessionToken, DateTimeOffset Expiration, string CallerArn, string UserId);

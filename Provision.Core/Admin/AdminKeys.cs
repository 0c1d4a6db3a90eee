using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provision.Core.Security;

namespace Provision.Core.Admin;

/// <summary>An admin API key; the key itself is shown once and stored only as its SHA-256 hash.</summary>
public sealed class AdminKey
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string KeyHash { get; init; }
    public DateTimeOffset Created { get; init; }

    /// <summary>What the key may do (<see cref="AdminScopes"/>).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [AdminScopes.Read];

    /// <summary>When it was revoked; a revoked key stays listed (and audited) but never authenticates.</summary>
    public DateTimeOffset? Revoked { get; init; }
}

/// <summary>
/// What an admin key may do. <c>read</c>: every GET. <c>devices</c>: read, and create, import, claim, release,
/// retry, delete devices and rotate device tokens. <c>releases</c>: read, and create, change, enable, disable and
/// delete releases. <c>admin</c>: everything, and the only scope that creates or rotates credentials that are not a
/// single device's (admin keys, products and their tokens). The bootstrap key is <c>admin</c>.
/// </summary>
public static class AdminScopes
{
    public const string Read = "read";
    public const string Devices = "devices";
    public const string Releases = "releases";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Read, Devices, Releases, Admin];

    /// <summary>Whether a key holding <paramref name="held"/> may make a call that needs <paramref name="needed"/>.</summary>
    public static bool Allows(IReadOnlyCollection<string> held, string needed) =>
        held.Contains(Admin) || held.Contains(needed) || (needed == Read && held.Count > 0);

    /// <summary>The scopes a new key asks for, checked; none given means <c>read</c>.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<string>? requested)
    {
        if (requested is null || requested.Count == 0)
        {
            return [Read];
        }
        var unknown = requested.Where(scope => !All.Contains(scope)).ToList();
        return unknown.Count == 0
            ? All.Where(requested.Contains).ToList()
            : throw new ValidationException($"Unknown admin key scope '{unknown[0]}': use {string.Join(", ", All)}.");
    }
}

/// <summary>A new admin key and its secret, which is never shown again.</summary>
public sealed record IssuedAdminKey(AdminKey Key, string Secret)
{
    public override string ToString() => $"IssuedAdminKey {{ Id = {Key.Id} }}";
}

/// <summary>Who is calling the admin API: an admin key, or the bootstrap key from settings, and what it may do.</summary>
public sealed record AdminCaller(string KeyId, IReadOnlyList<string> Scopes)
{
    /// <summary><see cref="ForbiddenException"/> unless the caller's scopes allow <paramref name="scope"/>.</summary>
    public void Require(string scope)
    {
        if (!AdminScopes.Allows(Scopes, scope))
        {
            throw new ForbiddenException($"This admin key has scope {string.Join(", ", Scopes)}; this call needs '{scope}'.");
        }
    }
}

public interface IAdminKeyStore
{
    Task<AdminKey> CreateAsync(AdminKey key, CancellationToken cancellationToken = default);
    Task<AdminKey?> GetAsync(string keyId, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<AdminKey>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Marks the key revoked; <see cref="EntityNotFoundException"/> when there is none with that id.</summary>
    Task RevokeAsync(string keyId, DateTimeOffset revoked, CancellationToken cancellationToken = default);
}

public interface IAdminAuthenticator
{
    /// <summary>The admin behind the bearer token; any other token (a device's, a product's, a revoked key) fails.</summary>
    Task<AdminCaller> AuthenticateAsync(string? authorizationHeader, CancellationToken cancellationToken = default);
}

public interface IAdminKeyService
{
    Task<IssuedAdminKey> CreateAsync(string name, IReadOnlyList<string>? scopes = null, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<AdminKey>> ListAsync(CancellationToken cancellationToken = default);
    Task RevokeAsync(string keyId, CancellationToken cancellationToken = default);
}

/// <summary>
/// Admin keys look like <c>{id}.{secret}</c>: the id gives a point read, the whole key is compared by hash in constant time.
/// Device and product tokens have no such id and are never found here.
/// </summary>
public sealed partial class AdminKeyService(IAdminKeyStore keys, IOptions<AdminOptions> options, TimeProvider clock, ILogger<AdminKeyService> log)
    : IAdminKeyService, IAdminAuthenticator
{
    public const string BootstrapKeyId = "bootstrap";
    private const int IdLength = 12;

    public async Task<AdminCaller> AuthenticateAsync(string? authorizationHeader, CancellationToken cancellationToken = default)
    {
        var token = Tokens.FromAuthorizationHeader(authorizationHeader) ?? throw new AuthenticationFailedException();
        if (Tokens.Matches(token, Tokens.Hash(options.Value.BootstrapKey)))
        {
            return new AdminCaller(BootstrapKeyId, [AdminScopes.Admin]);
        }
        var dot = token.IndexOf('.');
        if (dot < 0 || !KeyId().IsMatch(token[..dot]))
        {
            throw new AuthenticationFailedException();
        }
        var key = await keys.GetAsync(token[..dot], cancellationToken);
        return key is { Revoked: null } && Tokens.Matches(token, key.KeyHash)
            ? new AdminCaller(key.Id, key.Scopes)
            : throw new AuthenticationFailedException();
    }

    public async Task<IssuedAdminKey> CreateAsync(string name, IReadOnlyList<string>? scopes = null, CancellationToken cancellationToken = default)
    {
        var granted = AdminScopes.Validate(scopes);
        if (string.IsNullOrWhiteSpace(name) || name.Length > 128 || name.Any(char.IsControl))
        {
            throw new ValidationException("Admin key name must be 1-128 characters, without control characters.");
        }
        var id = Tokens.Base32(IdLength).ToLowerInvariant();
        var secret = $"{id}.{Tokens.New()}";
        var key = await keys.CreateAsync(new AdminKey
        {
            Id = id,
            Name = name.Trim(),
            KeyHash = Tokens.Hash(secret),
            Created = clock.GetUtcNow(),
            Scopes = granted,
        }, cancellationToken);
        log.LogInformation("Created admin key {KeyId} ({KeyName}) with scopes {Scopes}", key.Id, key.Name, string.Join(",", key.Scopes));
        return new IssuedAdminKey(key, secret);
    }

    public Task<IReadOnlyList<AdminKey>> ListAsync(CancellationToken cancellationToken = default) => keys.ListAsync(cancellationToken);

    public async Task RevokeAsync(string keyId, CancellationToken cancellationToken = default)
    {
        if (keyId == BootstrapKeyId)
        {
            throw new ValidationException("The bootstrap key comes from the Admin:BootstrapKey setting: change that setting to replace it.");
        }
        if (!KeyId().IsMatch(keyId))
        {
            throw new EntityNotFoundException($"Admin key {keyId} does not exist.");
        }
        await keys.RevokeAsync(keyId, clock.GetUtcNow(), cancellationToken);
        log.LogInformation("Revoked admin key {KeyId}", keyId);
    }

    [GeneratedRegex("^[a-z2-7]{12}$")]
    private static partial Regex KeyId();
}

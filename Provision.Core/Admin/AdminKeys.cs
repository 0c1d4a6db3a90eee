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
}

/// <summary>A new admin key and its secret, which is never shown again.</summary>
public sealed record IssuedAdminKey(AdminKey Key, string Secret)
{
    public override string ToString() => $"IssuedAdminKey {{ Id = {Key.Id} }}";
}

/// <summary>Who is calling the admin API: an admin key, or the bootstrap key from settings.</summary>
public sealed record AdminCaller(string KeyId);

public interface IAdminKeyStore
{
    Task<AdminKey> CreateAsync(AdminKey key, CancellationToken cancellationToken = default);
    Task<AdminKey?> GetAsync(string keyId, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<AdminKey>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the key; <see cref="EntityNotFoundException"/> when there is none with that id.</summary>
    Task DeleteAsync(string keyId, CancellationToken cancellationToken = default);
}

public interface IAdminAuthenticator
{
    /// <summary>The admin behind the bearer token; any other token (a device's, a product's, a revoked key) fails.</summary>
    Task<AdminCaller> AuthenticateAsync(string? authorizationHeader, CancellationToken cancellationToken = default);
}

public interface IAdminKeyService
{
    Task<IssuedAdminKey> CreateAsync(string name, CancellationToken cancellationToken = default);
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
            return new AdminCaller(BootstrapKeyId);
        }
        var dot = token.IndexOf('.');
        if (dot < 0 || !KeyId().IsMatch(token[..dot]))
        {
            throw new AuthenticationFailedException();
        }
        var key = await keys.GetAsync(token[..dot], cancellationToken);
        return key is not null && Tokens.Matches(token, key.KeyHash)
            ? new AdminCaller(key.Id)
            : throw new AuthenticationFailedException();
    }

    public async Task<IssuedAdminKey> CreateAsync(string name, CancellationToken cancellationToken = default)
    {
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
        }, cancellationToken);
        log.LogInformation("Created admin key {KeyId} ({KeyName})", key.Id, key.Name);
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
        await keys.DeleteAsync(keyId, cancellationToken);
        log.LogInformation("Revoked admin key {KeyId}", keyId);
    }

    [GeneratedRegex("^[a-z2-7]{12}$")]
    private static partial Regex KeyId();
}

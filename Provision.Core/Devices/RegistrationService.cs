using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provision.Core.Admin;
using Provision.Core.Aws;
using Provision.Core.Limits;
using Provision.Core.Products;
using Provision.Core.Provisioning;
using Provision.Core.Security;
using Provision.Core.Storage;

namespace Provision.Core.Devices;

/// <summary>
/// What a device sends to register (its device.json5): its id, <c>product</c> (the product id or the product
/// token itself, as the Ioto agent sends it), its current token when it has one, and the manager account and
/// cloud it asks to be claimed by.
/// </summary>
public sealed record RegistrationRequest(string DeviceId, string Product, string? CurrentToken, string? Account = null, string? Cloud = null);

/// <summary>The answer to a registration; <see cref="Token"/> is shown once and never stored.</summary>
public sealed record Registration(string DeviceId, string Token, bool Created)
{
    public override string ToString() => $"Registration {{ DeviceId = {DeviceId}, Created = {Created} }}";
}

/// <summary>How often one device may register again with the product token alone (section "Reregistration").</summary>
public sealed class ReregistrationOptions : LimitOptions
{
    public const string Section = "Reregistration";

    public ReregistrationOptions()
    {
        PermitsPerWindow = 3;
        Window = TimeSpan.FromHours(1);
    }
}

/// <summary>How many registrations one product token may make (section "ProductRegistration").</summary>
public sealed class ProductRegistrationOptions : LimitOptions
{
    public const string Section = "ProductRegistration";

    public ProductRegistrationOptions()
    {
        PermitsPerWindow = 1000;
        Window = TimeSpan.FromHours(1);
    }
}

public interface IRegistrationService
{
    Task<Registration> RegisterAsync(string? productAuthorization, RegistrationRequest request, CancellationToken cancellationToken = default);
}

/// <summary>
/// Self-registration with a product token, found by its hash. A new or released device gets a token. A
/// registered device registers again per its product's <see cref="ReregistrationMode"/>: with its current
/// token (strict), or with the product token alone (the Ioto agent's way: a new token, the old one revoked at
/// once, audited). A device naming an account the product lets auto-claim is claimed at once.
/// </summary>
public sealed class RegistrationService(
    IProductStore products,
    IDeviceStore devices,
    IClaimService claims,
    IAuditLog audit,
    IOptions<CloudOptions> cloud,
    IUsageLimiter limiter,
    IOptions<ReregistrationOptions> reregistrations,
    IOptions<ProductRegistrationOptions> productRegistrations,
    TimeProvider clock,
    ILogger<RegistrationService> log) : IRegistrationService
{
    private readonly LimitRule _perDevice = reregistrations.Value.ToRule(
        "reregister", "This device registered again too often. Retry after the delay.");
    private readonly LimitRule _perProduct = productRegistrations.Value.ToRule(
        "register", "Too many registrations with this product token. Retry after the delay.");

    /// <summary>The actor recorded in the audit trail for what a device does with the product token.</summary>
    public const string ProductTokenActor = "product-token";

    public async Task<Registration> RegisterAsync(string? productAuthorization, RegistrationRequest request, CancellationToken cancellationToken = default)
    {
        DeviceIds.Validate(request.DeviceId);
        var productToken = Tokens.FromAuthorizationHeader(productAuthorization) ?? throw new AuthenticationFailedException();
        var productId = await products.FindIdByTokenHashAsync(Tokens.Hash(productToken), cancellationToken);
        var product = productId is null ? null : await products.GetAsync(productId, cancellationToken);
        if (product is null || !Tokens.Matches(productToken, product.TokenHash))
        {
            throw new AuthenticationFailedException();
        }
        if (request.Product != product.Id && request.Product != productToken)
        {
            // Never echoed: the value may be a token.
            throw new ValidationException($"\"product\" must be this product's id ({product.Id}) or its product token.");
        }

        await limiter.AcquireAsync(_perProduct, product.Id, cancellationToken);
        var registration = await RegisterDeviceAsync(product, request, cancellationToken);
        await AutoClaimAsync(product, request, cancellationToken);
        return registration;
    }

    private async Task<Registration> RegisterDeviceAsync(Product product, RegistrationRequest request, CancellationToken cancellationToken)
    {
        var existing = await devices.GetAsync(request.DeviceId, cancellationToken);
        if (existing is null)
        {
            var token = Tokens.New();
            await devices.CreateAsync(new Device
            {
                Id = request.DeviceId,
                ProductId = product.Id,
                TokenHash = Tokens.Hash(token),
                Created = clock.GetUtcNow(),
            }, cancellationToken);
            log.LogInformation("Registered {DeviceId} for {ProductId}", request.DeviceId, product.Id);
            return new Registration(request.DeviceId, token, Created: true);
        }

        if (existing.ProductId != product.Id)
        {
            throw new ForbiddenException($"Device {request.DeviceId} is registered to another product.");
        }
        if (request.CurrentToken is { } current && Tokens.Matches(current, existing.TokenHash) && existing.State != DeviceState.Released)
        {
            return new Registration(existing.Id, current, Created: false);
        }
        if (existing.State == DeviceState.Released)
        {
            // An operator released the device: its agent registers afresh and gets a new token.
            var token = Tokens.New();
            existing.MoveTo(DeviceState.Registered);
            existing.AccountId = null;
            await devices.ReplaceTokenAsync(existing, Tokens.Hash(token), cancellationToken);
            log.LogInformation("Registered released device {DeviceId} again", existing.Id);
            return new Registration(existing.Id, token, Created: true);
        }
        if (existing.State == DeviceState.Releasing)
        {
            throw new RateLimitedException($"Device {existing.Id} is being released. Register again after the delay.", 10);
        }
        if (product.Reregistration == ReregistrationMode.Ioto)
        {
            return await ReregisterAsync(existing, cancellationToken);
        }
        throw new EntityExistsException(
            $"Device {request.DeviceId} is already registered. Send its current device token as \"token\" to register it again, or ask the operator to release it.");
    }

    /// <summary>
    /// The Ioto agent registers again with the product token alone after it deprovisioned itself. It gets a new
    /// token and the old one stops working at once; a server-generated key still on record is dropped, so its
    /// next getCerts issues a new certificate that replaces the old one.
    /// </summary>
    private async Task<Registration> ReregisterAsync(Device device, CancellationToken cancellationToken)
    {
        await limiter.AcquireAsync(_perDevice, device.Id, cancellationToken);
        var token = Tokens.New();
        if (device.State == DeviceState.Provisioned && !device.CertificateFromCsr)
        {
            device.EncryptedPrivateKey = null;
            device.KeyPurgeAfter = null;
        }
        await devices.ReplaceTokenAsync(device, Tokens.Hash(token), cancellationToken);
        await audit.RecordAsync(AuditSubjects.Device(device.Id), "re-registered with the product token; device token replaced", ProductTokenActor, cancellationToken);
        log.LogInformation("Re-registered {DeviceId} with the product token; its previous token is revoked", device.Id);
        return new Registration(device.Id, token, Created: false);
    }

    private async Task AutoClaimAsync(Product product, RegistrationRequest request, CancellationToken cancellationToken)
    {
        if (request.Account is not { } account || !product.AutoClaimAccounts.Contains(account, StringComparer.Ordinal))
        {
            return;
        }
        if (request.Cloud is { } named && named != cloud.Value.Name)
        {
            log.LogInformation("Not auto-claiming {DeviceId}: it names another cloud", request.DeviceId);
            return;
        }
        var device = await devices.GetAsync(request.DeviceId, cancellationToken);
        if (device is { State: DeviceState.Registered })
        {
            await claims.ClaimAsync(device.Id, account, cancellationToken);
            await audit.RecordAsync(AuditSubjects.Device(device.Id), $"claimed at registration by account {account} (auto-claim)", ProductTokenActor, cancellationToken);
        }
    }
}

using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Provision.Core.Products;
using Provision.Core.Security;

namespace Provision.Core.Admin;

/// <summary>A product to create; the AWS IoT settings default to the service's.</summary>
public sealed record NewProduct(string? Id, string? Name, string? PolicyName = null, string? ThingType = null, string? ThingGroup = null);

/// <summary>Registration settings of a product to change; a null member is left as it is.</summary>
public sealed record ProductChanges(string? Name, string? Reregistration, IReadOnlyList<string>? AutoClaimAccounts);

/// <summary>A product and its token, which is shown once and never stored.</summary>
public sealed record ProductWithToken(Product Product, string Token)
{
    public override string ToString() => $"ProductWithToken {{ Id = {Product.Id} }}";
}

public interface IProductAdmin
{
    Task<ProductWithToken> CreateAsync(NewProduct request, CancellationToken cancellationToken = default);
    Task<Product> GetAsync(string productId, CancellationToken cancellationToken = default);
    Task<ResultPage<Product>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>Gives the product a new token; the old one stops working at once.</summary>
    Task<ProductWithToken> RotateTokenAsync(string productId, CancellationToken cancellationToken = default);

    /// <summary>Changes the name, the re-registration mode or the auto-claim accounts; all are checked before anything is written.</summary>
    Task<Product> UpdateAsync(string productId, ProductChanges changes, CancellationToken cancellationToken = default);
}

public sealed partial class ProductAdmin(IProductStore products, TimeProvider clock, ILogger<ProductAdmin> log) : IProductAdmin
{
    public async Task<ProductWithToken> CreateAsync(NewProduct request, CancellationToken cancellationToken = default)
    {
        var id = Check(request.Id, ProductId(), "Product id must be 1-64 letters, digits, '.', '_' or '-'.");
        var name = CheckName(request.Name);
        var token = Tokens.New();
        var product = await products.CreateAsync(new Product
        {
            Id = id,
            Name = name,
            TokenHash = Tokens.Hash(token),
            PolicyName = CheckOptional(request.PolicyName, PolicyName(), "Policy name must be 1-128 characters of letters, digits and +=,.@_-."),
            ThingType = CheckOptional(request.ThingType, ThingName(), "Thing type must be 1-128 letters, digits, ':', '_' or '-'."),
            ThingGroup = CheckOptional(request.ThingGroup, ThingName(), "Thing group must be 1-128 letters, digits, ':', '_' or '-'."),
            Created = clock.GetUtcNow(),
        }, cancellationToken);
        log.LogInformation("Created product {ProductId}", product.Id);
        return new ProductWithToken(product, token);
    }

    public async Task<Product> GetAsync(string productId, CancellationToken cancellationToken = default) =>
        await products.GetAsync(productId, cancellationToken) ?? throw NotFound(productId);

    public Task<ResultPage<Product>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken = default) =>
        products.ListAsync(pageSize, continuationToken, cancellationToken);

    public async Task<ProductWithToken> RotateTokenAsync(string productId, CancellationToken cancellationToken = default)
    {
        var product = await GetAsync(productId, cancellationToken);
        var token = Tokens.New();
        product.TokenHash = Tokens.Hash(token);
        product = await products.UpdateAsync(product, cancellationToken);
        log.LogInformation("Rotated the token of product {ProductId}", product.Id);
        return new ProductWithToken(product, token);
    }

    public async Task<Product> UpdateAsync(string productId, ProductChanges changes, CancellationToken cancellationToken = default)
    {
        var name = changes.Name is null ? null : CheckName(changes.Name);
        var mode = changes.Reregistration is null ? (ReregistrationMode?)null : CheckReregistration(changes.Reregistration);
        var accounts = changes.AutoClaimAccounts is null ? null : CheckAccounts(changes.AutoClaimAccounts);
        while (true)
        {
            var product = await GetAsync(productId, cancellationToken);
            product.Name = name ?? product.Name;
            product.Reregistration = mode ?? product.Reregistration;
            product.AutoClaimAccounts = accounts ?? product.AutoClaimAccounts;
            try
            {
                product = await products.UpdateAsync(product, cancellationToken);
                log.LogInformation("Updated product {ProductId}: re-registration {Reregistration}, {AutoClaimAccounts} auto-claim accounts",
                    product.Id, product.Reregistration, product.AutoClaimAccounts.Count);
                return product;
            }
            catch (ConcurrencyException)
            {
                // Another change landed since the read (e.g. a token rotation): apply ours to the new version.
            }
        }
    }

    /// <summary>The answer for a product id that names no product.</summary>
    public static EntityNotFoundException NotFound(string productId) =>
        new($"Product {productId} does not exist. Create it first with POST /manage/products.");

    private static string CheckName(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > 128 || name.Any(char.IsControl)
            ? throw new ValidationException("Product name must be 1-128 characters, without control characters.")
            : name.Trim();

    private static ReregistrationMode CheckReregistration(string mode) => mode switch
    {
        "ioto" => ReregistrationMode.Ioto,
        "token" => ReregistrationMode.Token,
        _ => throw new ValidationException("\"reregistration\" must be \"ioto\" (product token and device id register again) or \"token\" (the device's current token is required too)."),
    };

    private static IReadOnlyList<string> CheckAccounts(IReadOnlyList<string> accounts)
    {
        if (accounts.Count > MaxAutoClaimAccounts)
        {
            throw new ValidationException($"\"autoClaimAccounts\" may list at most {MaxAutoClaimAccounts} accounts.");
        }
        foreach (var account in accounts)
        {
            Check(account, AccountId(), "Each auto-claim account id must be 1-64 letters, digits, '-' or '_'.");
        }
        return [.. accounts.Distinct(StringComparer.Ordinal)];
    }

    private const int MaxAutoClaimAccounts = 50;

    private static string Check(string? value, Regex pattern, string message) =>
        value is not null && pattern.IsMatch(value) ? value : throw new ValidationException(message);

    private static string? CheckOptional(string? value, Regex pattern, string message) =>
        value is null ? null : Check(value, pattern, message);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex ProductId();

    // The same rule as a claim's owner account id.
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex AccountId();

    [GeneratedRegex(@"^[\w+=,.@-]{1,128}$")]
    private static partial Regex PolicyName();

    [GeneratedRegex("^[A-Za-z0-9:_-]{1,128}$")]
    private static partial Regex ThingName();
}

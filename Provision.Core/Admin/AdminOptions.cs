using System.ComponentModel.DataAnnotations;

namespace Provision.Core.Admin;

/// <summary>The admin API's settings (section "Admin").</summary>
public sealed class AdminOptions : IValidatableObject
{
    public const string Section = "Admin";

    /// <summary>
    /// A secret that always authenticates as an administrator, so the first admin keys can be created.
    /// In Azure a Key Vault reference; generate it with <c>openssl rand -base64 32</c>.
    /// </summary>
    [Required(ErrorMessage = "Admin:BootstrapKey is required: a random secret of at least 32 characters (openssl rand -base64 32).")]
    [MinLength(32, ErrorMessage = "Admin:BootstrapKey must be at least 32 characters long.")]
    public string BootstrapKey { get; set; } = "";

    /// <summary>True when the Functions host runs in the Development environment (func start): a readable bootstrap key is allowed.</summary>
    public bool LocalDevelopment { get; internal set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!LocalDevelopment && BootstrapKey.Length >= 32 && !HasAtLeast256RandomBits(BootstrapKey))
        {
            yield return new ValidationResult(
                "Admin:BootstrapKey must hold at least 256 random bits outside local development: base64 of 32 or more random bytes (openssl rand -base64 32).",
                [nameof(BootstrapKey)]);
        }
    }

    /// <summary>
    /// Base64 of at least 32 bytes that look random: at least 20 distinct byte values (32 random bytes have about 30),
    /// and upper-case letters, lower-case letters and digits or '+' '/' all present, as in any <c>openssl rand -base64 32</c>
    /// output. Words, phrases, hex and repeated characters fail.
    /// </summary>
    internal static bool HasAtLeast256RandomBits(string key)
    {
        var bytes = new byte[key.Length];
        return Convert.TryFromBase64String(key, bytes, out var written) && written >= 32
            && bytes.AsSpan(0, written).ToArray().Distinct().Count() >= 20
            && key.Any(char.IsAsciiLetterUpper) && key.Any(char.IsAsciiLetterLower)
            && key.Any(c => char.IsAsciiDigit(c) || c is '+' or '/')
            && !key.Any(char.IsWhiteSpace);
    }
}

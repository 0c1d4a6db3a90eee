using System.ComponentModel.DataAnnotations;

namespace Provision.Core.Security;

/// <summary>Keys that protect secrets at rest (section "Security").</summary>
public sealed class SecurityOptions : IValidatableObject
{
    public const string Section = "Security";

    /// <summary>Base64 of 32 random bytes: the AES-256 key that encrypts device private keys.</summary>
    [Required(ErrorMessage = "Security:KeyEncryptionKey is required: base64 of 32 random bytes (openssl rand -base64 32).")]
    public string KeyEncryptionKey { get; set; } = "";

    /// <summary>Names the current key in every envelope, so keys can be rotated.</summary>
    [Required, RegularExpression("^[A-Za-z0-9_-]{1,32}$", ErrorMessage = "Security:KeyEncryptionKeyId must be 1-32 letters, digits, '_' or '-'.")]
    public string KeyEncryptionKeyId { get; set; } = "k1";

    /// <summary>Earlier keys by id (Security__RetiredKeys__k0), still able to decrypt what they encrypted.</summary>
    public Dictionary<string, string> RetiredKeys { get; set; } = [];

    /// <summary>How long a server-generated private key stays available for the device to fetch.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00", ErrorMessage = "Security:KeyDeliveryWindow must be between 1 minute and 90 days.")]
    public TimeSpan KeyDeliveryWindow { get; set; } = TimeSpan.FromDays(7);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (id, key) in RetiredKeys.Append(new(KeyEncryptionKeyId, KeyEncryptionKey)))
        {
            if (!IsAes256Key(key))
            {
                yield return new ValidationResult($"Security key '{id}' must be base64 of exactly 32 bytes.");
            }
        }
    }

    internal static bool IsAes256Key(string? base64)
    {
        var buffer = new byte[64];
        return !string.IsNullOrEmpty(base64) && Convert.TryFromBase64String(base64, buffer, out var written) && written == 32;
    }
}

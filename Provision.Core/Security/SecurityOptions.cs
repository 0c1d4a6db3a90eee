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

    /// <summary>
    /// Id of the key that was current before the last rotation; empty when the key was never rotated. Envelopes
    /// it wrote stay readable until their delivery window ends (private keys are purged then).
    /// </summary>
    [RegularExpression("^([A-Za-z0-9_-]{1,32})?$", ErrorMessage = "Security:PreviousKeyEncryptionKeyId must be empty or 1-32 letters, digits, '_' or '-'.")]
    public string PreviousKeyEncryptionKeyId { get; set; } = "";

    /// <summary>The key named by <see cref="PreviousKeyEncryptionKeyId"/> (base64 of 32 bytes); only decrypts.</summary>
    public string PreviousKeyEncryptionKey { get; set; } = "";

    /// <summary>Further earlier keys by id (Security__RetiredKeys__k0), still able to decrypt what they encrypted.</summary>
    public Dictionary<string, string> RetiredKeys { get; set; } = [];

    /// <summary>How long a server-generated private key stays available for the device to fetch.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00", ErrorMessage = "Security:KeyDeliveryWindow must be between 1 minute and 90 days.")]
    public TimeSpan KeyDeliveryWindow { get; set; } = TimeSpan.FromDays(7);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(PreviousKeyEncryptionKeyId) && PreviousKeyEncryptionKeyId == KeyEncryptionKeyId)
        {
            yield return new ValidationResult("Security:PreviousKeyEncryptionKeyId must differ from Security:KeyEncryptionKeyId: give each key its own id.");
        }

        foreach (var (id, key) in DecryptionKeys())
        {
            if (!IsAes256Key(key))
            {
                yield return new ValidationResult($"Security key '{id}' must be base64 of exactly 32 bytes.");
            }
        }
    }

    /// <summary>Every key that may have written a stored envelope, by id: the current one first.</summary>
    internal IEnumerable<KeyValuePair<string, string>> DecryptionKeys()
    {
        yield return new(KeyEncryptionKeyId, KeyEncryptionKey);
        if (!string.IsNullOrEmpty(PreviousKeyEncryptionKeyId))
        {
            yield return new(PreviousKeyEncryptionKeyId, PreviousKeyEncryptionKey);
        }

        foreach (var retired in RetiredKeys)
        {
            yield return retired;
        }
    }

    internal static bool IsAes256Key(string? base64)
    {
        var buffer = new byte[64];
        return !string.IsNullOrEmpty(base64) && Convert.TryFromBase64String(base64, buffer, out var written) && written == 32;
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Provision.Core.Security;

/// <summary>Bearer tokens: random, shown once, stored only as SHA-256 hashes and compared in constant time.</summary>
public static class Tokens
{
    /// <summary>A new token of 256 random bits, URL-safe base64.</summary>
    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool Matches(string token, string? storedHash)
    {
        if (string.IsNullOrEmpty(storedHash))
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(storedHash));
    }

    /// <summary>The token of an Authorization header: "Bearer x" (any case) or a bare token; null when absent.</summary>
    public static string? FromAuthorizationHeader(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        var value = header.Trim();
        if (value.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            value = value["Bearer ".Length..].Trim();
        }
        return value.Length is > 0 and <= 512 ? value : null;
    }

    /// <summary>Random upper-case base32 (RFC 4648 alphabet), e.g. for claim ids.</summary>
    public static string Base32(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        return string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

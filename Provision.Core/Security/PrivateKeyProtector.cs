using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Provision.Core.Security;

public interface IPrivateKeyProtector
{
    /// <summary>Encrypts a PEM private key for storage, bound to its device.</summary>
    string Protect(string privateKeyPem, string deviceId);

    string Unprotect(string envelope, string deviceId);
}

/// <summary>
/// AES-256-GCM envelopes "v1.{keyId}.{base64(nonce|ciphertext|tag)}". The device id is authenticated data,
/// so an envelope copied onto another device does not decrypt.
/// </summary>
public sealed class PrivateKeyProtector(IOptions<SecurityOptions> options) : IPrivateKeyProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public string Protect(string privateKeyPem, string deviceId)
    {
        var settings = options.Value;
        var plaintext = Encoding.UTF8.GetBytes(privateKeyPem);
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Convert.FromBase64String(settings.KeyEncryptionKey), TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length),
            sealedBytes.AsSpan(NonceSize + plaintext.Length), Encoding.UTF8.GetBytes(deviceId));
        CryptographicOperations.ZeroMemory(plaintext);
        return $"v1.{settings.KeyEncryptionKeyId}.{Convert.ToBase64String(sealedBytes)}";
    }

    public string Unprotect(string envelope, string deviceId)
    {
        var parts = envelope.Split('.');
        if (parts.Length != 3 || parts[0] != "v1")
        {
            throw new CryptographicException("Unknown private key envelope.");
        }
        var key = KeyById(parts[1]);
        var sealedBytes = Convert.FromBase64String(parts[2]);
        var length = sealedBytes.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(Convert.FromBase64String(key), TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length),
            sealedBytes.AsSpan(NonceSize + length), plaintext, Encoding.UTF8.GetBytes(deviceId));
        return Encoding.UTF8.GetString(plaintext);
    }

    private string KeyById(string keyId)
    {
        foreach (var (id, key) in options.Value.DecryptionKeys())
        {
            if (id == keyId)
            {
                return key;
            }
        }
        throw new CryptographicException(
            $"Key '{keyId}' that encrypted this private key is not configured (Security:PreviousKeyEncryptionKeyId or Security:RetiredKeys).");
    }
}

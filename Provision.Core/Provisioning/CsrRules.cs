using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Provision.Core.Provisioning;

/// <summary>
/// What AWS IoT accepts in a certificate signing request, checked before anything is stored or sent: an RSA key of at
/// least 2048 bits or an EC key on P-256, P-384 or P-521, signed with SHA-256 or stronger, with a valid signature.
/// Every refusal is a <see cref="ValidationException"/> naming the rule.
/// </summary>
public static class CsrRules
{
    public const int MaxLength = 16 * 1024;
    public const int MinRsaBits = 2048;

    private const string RsaKey = "1.2.840.113549.1.1.1";
    private const string EcKey = "1.2.840.10045.2.1";
    private const string RsaPss = "1.2.840.113549.1.1.10";

    private static readonly Dictionary<string, string> Curves = new()
    {
        ["1.2.840.10045.3.1.7"] = "P-256",
        ["1.3.132.0.34"] = "P-384",
        ["1.3.132.0.35"] = "P-521",
    };

    private static readonly HashSet<string> StrongSignatures =
    [
        "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", // sha256/384/512WithRSAEncryption
        "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", // ecdsa-with-SHA256/384/512
    ];

    private static readonly HashSet<string> StrongHashes = ["2.16.840.1.101.3.4.2.1", "2.16.840.1.101.3.4.2.2", "2.16.840.1.101.3.4.2.3"];

    public const string FormRule = "csr must be a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----) with a valid signature.";
    public const string KeyRule = "csr key must be RSA of at least 2048 bits or EC on P-256, P-384 or P-521: AWS IoT accepts no other key (Ed25519 and DSA included).";
    public const string SignatureRule = "csr must be signed with SHA-256 or stronger (RSA, RSA-PSS or ECDSA); SHA-1 and MD5 signatures are refused.";

    /// <summary>Checks the request; returns its public key (SubjectPublicKeyInfo, DER).</summary>
    public static byte[] Validate(string csrPem)
    {
        if (csrPem.Length > MaxLength)
        {
            throw new ValidationException($"csr is larger than {MaxLength} characters.");
        }
        var (keyAlgorithm, keyParameters, publicKey, signatureAlgorithm, signatureParameters) = Parse(csrPem);
        CheckKey(keyAlgorithm, keyParameters, publicKey);
        CheckSignature(signatureAlgorithm, signatureParameters);
        try
        {
            var request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256);
            return request.PublicKey.ExportSubjectPublicKeyInfo();
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or NotSupportedException or AsnContentException)
        {
            throw new ValidationException(FormRule);
        }
    }

    private static (string KeyAlgorithm, ReadOnlyMemory<byte>? KeyParameters, byte[] PublicKey, string SignatureAlgorithm, ReadOnlyMemory<byte>? SignatureParameters)
        Parse(string csrPem)
    {
        try
        {
            var pem = PemEncoding.Find(csrPem);
            var label = csrPem[pem.Label];
            if (label is not ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST"))
            {
                throw new ValidationException(FormRule);
            }
            var der = Convert.FromBase64String(csrPem[pem.Base64Data]);
            var request = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var info = request.ReadSequence();
            var (signatureAlgorithm, signatureParameters) = ReadAlgorithm(request);
            info.ReadInteger();
            info.ReadEncodedValue(); // subject
            var subjectPublicKeyInfo = info.ReadSequence();
            var (keyAlgorithm, keyParameters) = ReadAlgorithm(subjectPublicKeyInfo);
            var publicKey = subjectPublicKeyInfo.ReadBitString(out _);
            return (keyAlgorithm, keyParameters, publicKey, signatureAlgorithm, signatureParameters);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or AsnContentException or CryptographicException)
        {
            throw new ValidationException(FormRule);
        }
    }

    private static (string Oid, ReadOnlyMemory<byte>? Parameters) ReadAlgorithm(AsnReader reader)
    {
        var algorithm = reader.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        return (oid, algorithm.HasData ? algorithm.ReadEncodedValue() : null);
    }

    private static void CheckKey(string algorithm, ReadOnlyMemory<byte>? parameters, byte[] publicKey)
    {
        try
        {
            switch (algorithm)
            {
                case RsaKey:
                    var rsa = new AsnReader(publicKey, AsnEncodingRules.DER).ReadSequence();
                    var modulus = rsa.ReadIntegerBytes().Span.TrimStart((byte)0);
                    var bits = (modulus.Length - 1) * 8 + (32 - System.Numerics.BitOperations.LeadingZeroCount(modulus[0]));
                    if (bits < MinRsaBits)
                    {
                        throw new ValidationException(KeyRule);
                    }
                    return;
                case EcKey when parameters is { } curve && Curves.ContainsKey(new AsnReader(curve, AsnEncodingRules.DER).ReadObjectIdentifier()):
                    return;
                default:
                    throw new ValidationException(KeyRule);
            }
        }
        catch (Exception e) when (e is AsnContentException or IndexOutOfRangeException)
        {
            throw new ValidationException(KeyRule);
        }
    }

    private static void CheckSignature(string algorithm, ReadOnlyMemory<byte>? parameters)
    {
        if (StrongSignatures.Contains(algorithm))
        {
            return;
        }
        if (algorithm == RsaPss && parameters is { } pss && PssHash(pss) is { } hash && StrongHashes.Contains(hash))
        {
            return;
        }
        throw new ValidationException(SignatureRule);
    }

    // RSASSA-PSS-params: hashAlgorithm [0] (SHA-1 when absent), then the mask and salt, which follow the hash.
    private static string? PssHash(ReadOnlyMemory<byte> parameters)
    {
        try
        {
            var sequence = new AsnReader(parameters, AsnEncodingRules.DER).ReadSequence();
            var hashTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (!sequence.HasData || sequence.PeekTag() != hashTag)
            {
                return null;
            }
            return sequence.ReadSequence(hashTag).ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}

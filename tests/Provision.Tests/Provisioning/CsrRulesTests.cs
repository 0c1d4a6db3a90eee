using System.Security.Cryptography;
using Provision.Core;
using Provision.Core.Provisioning;

namespace Provision.Tests.Provisioning;

public class CsrRulesTests
{
    public static TheoryData<string, string> Accepted => new()
    {
        { "RSA 2048 SHA-256", CsrSamples.Rsa(2048) },
        { "RSA 3072 SHA-384", CsrSamples.Rsa(3072, HashAlgorithmName.SHA384) },
        { "RSA 2048 PSS SHA-256", CsrSamples.Rsa(2048, padding: RSASignaturePadding.Pss) },
        { "EC P-256", CsrSamples.Ec(ECCurve.NamedCurves.nistP256) },
        { "EC P-384 SHA-384", CsrSamples.Ec(ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384) },
        { "EC P-521 SHA-512", CsrSamples.Ec(ECCurve.NamedCurves.nistP521, HashAlgorithmName.SHA512) },
    };

    public static TheoryData<string, string, string> Refused => new()
    {
        { "RSA 1024", CsrSamples.Rsa(1024), CsrRules.KeyRule },
        { "RSA 2040", CsrSamples.Rsa(2040), CsrRules.KeyRule },
        { "EC secp256k1", CsrSamples.Ec(ECCurve.CreateFromFriendlyName("secp256k1")), CsrRules.KeyRule },
        { "Ed25519", CsrSamples.Ed25519, CsrRules.KeyRule },
        { "DSA", CsrSamples.Dsa, CsrRules.KeyRule },
        { "RSA SHA-1", CsrSamples.RsaSha1, CsrRules.SignatureRule },
        { "EC SHA-1", CsrSamples.EcSha1, CsrRules.SignatureRule },
        { "not PEM", "hello", CsrRules.FormRule },
        { "a certificate label", CsrSamples.Rsa(2048).Replace("CERTIFICATE REQUEST", "CERTIFICATE", StringComparison.Ordinal), CsrRules.FormRule },
        { "broken base64 content", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----", CsrRules.FormRule },
        { "too long", new string('A', CsrRules.MaxLength + 1), "larger than" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Validate_KeyAndSignatureAwsAccepts_ReturnsPublicKey(string what, string csr)
    {
        Assert.NotEmpty(CsrRules.Validate(csr));
        Assert.NotNull(what);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Validate_WhatAwsRefuses_ThrowsValidationNamingTheRule(string what, string csr, string rule)
    {
        var error = Assert.Throws<ValidationException>(() => CsrRules.Validate(csr));

        Assert.True(error.Message.Contains(rule, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    [Fact]
    public void Validate_TamperedSignature_ThrowsFormRule()
    {
        var pem = CsrSamples.Rsa(2048);
        var der = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        der[^5] ^= 0xFF;
        var tampered = PemEncodingText(der);

        var error = Assert.Throws<ValidationException>(() => CsrRules.Validate(tampered));

        Assert.Equal(CsrRules.FormRule, error.Message);
    }

    private static string PemEncodingText(byte[] der) => new(PemEncoding.Write("CERTIFICATE REQUEST", der));
}

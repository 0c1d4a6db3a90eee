using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Provision.Tests.Provisioning;

/// <summary>Certificate signing requests of every kind a device might send.</summary>
public static class CsrSamples
{
    /// <summary>An Ed25519 request (made with OpenSSL: .NET cannot sign one).</summary>
    public const string Ed25519 = """
        -----BEGIN CERTIFICATE REQUEST-----
        MIGMMEACAQAwDTELMAkGA1UEAwwCZWQwKjAFBgMrZXADIQDKVUxZzPYpj329I0pA
        JJJo8VDVToSAtq7U00TuvVK8R6AAMAUGAytlcANBAPmyUEXTfImAjlywb1OEYiuQ
        /ncgREC7O/pOLKhwByYXnjrqaLLrU/EWeVc7MrJrHNSCDatNpuQxvBGVu7GNggY=
        -----END CERTIFICATE REQUEST-----
        """;

    /// <summary>A DSA 2048 request signed with SHA-256 (made with OpenSSL: .NET cannot sign one).</summary>
    public const string Dsa = """
        -----BEGIN CERTIFICATE REQUEST-----
        MIIDrTCCA1sCAQAwDjEMMAoGA1UEAwwDZHNhMIIDQjCCAjUGByqGSM44BAEwggIo
        AoIBAQCTbLtOl0lbzKm+pxpdSGjhQUYp/xQj5hfJUXbBPOm5UnPEKy36shFE43fP
        NHWuwJ6FF4nVtX6b9PMhVqRtY2A8Em9L1Ofj8RPgRdXhK0B8mZ2yNL9AINqlc2qs
        mbGaMGVuCSzHrsxJDqEWPoMd7g8nUXL+2ESrWFYgqVIQIRA7+rE2GUmsGGhe8idt
        nqKj31rM55ONwlCkgwc9YVxvknd699Wlbgia4EgdKahptIvBjTcf9pzDZuSr2Epd
        ZsC7s/n0KJFsouVj0Mohwf5hjquTJy5UlcL8oAxMnA8+X3Kvzt2lkT224fJiz4yr
        tUEYXjcLrbxsJk9YCIRGAduKEHIzAh0AoRYY9ZxEeRbjKeP0KscKR9eqb+1wUiWi
        +TyKPQKCAQAb4L7EW95ihwRiVGUWVEgbXSKCyAAfRUDTNnc0RsUkwoCCX+pyVkhP
        opLQU1fUBNfjhKUiioE4DyrVO+6ui58p77Od+3UmGqJlJwAtebBqbvKM8b0FM8AR
        dbey7BETm0ecf+RWpNniIOPIkkAgQhp7PueIVL1EyoffxDNMORjyrfT0JZyhXs3t
        uUnfnjkQIiZ3WZCLpBxm7NjcpuLJunqW7sdpCLceR23qMLMYQ4GjbT/lUQJU9kSE
        +p6g+M1i4mLwt4FokVFgZNQ7zI+owdIX1G4hZ0SjWE/NeR2jE/DemJdC+f7kd4QU
        RL7p0VJKXanLOt51pKw1XPY59AYdvI4uA4IBBQACggEAavVn3/kh2JRagxgXCy3z
        qtnDrF6HqwQ9NwZ1cilH5/FSdiHxqjvy9cuvRCv5v+dhXoqpC+poecamVt4QzS6o
        Qfc5BdZpIGLDkEgvXdWGU6gOW3ofOkrjrQ35kfDb/4opa4+TGUDTW95Ch8NVXr1J
        nFATvNA2QJf8leixRqKRzySf8d7CWGxfx/Qh31YwAw80p6jf2S6EQQAlm2PzsQB7
        ja8aZZgY8IlJgxMWU+ymjQTzVvC9QHLq6S0jJ7zQYDoHpm8Z/OOC94w9u1bMyITG
        q/h9KpJ5pgY8L3pQhMign50viBroxbT43t72OR+RhtvCTNRZlWPJPkQ6QdVRZGnm
        8aAAMAsGCWCGSAFlAwQDAgM/ADA8AhwxR6KFpImU8sE6EktvYATvKXuY/B4VDT1/
        UmZOAhxAyf7601tWnxd6zCDKMy3Hst208SdT/bjFqtJp
        -----END CERTIFICATE REQUEST-----
        """;

    /// <summary>An RSA 2048 request signed with SHA-1 (made with OpenSSL: .NET refuses to sign with SHA-1).</summary>
    public const string RsaSha1 = """
        -----BEGIN CERTIFICATE REQUEST-----
        MIICVDCCATwCAQAwDzENMAsGA1UEAwwEc2hhMTCCASIwDQYJKoZIhvcNAQEBBQAD
        ggEPADCCAQoCggEBAJyMRfxOhHdC/7S3Vr8itP5DOhGQPsQrhw+KgwG/Fx5LIft5
        1QyeVQBJoI0LqtniX3RO3rfiebueyQOlVCwbUsvZkp6iqQd+mUOdQ9Fy6osZWL5w
        sDqS3Yry9C3IVkWz6Ga8F4VAD2vJvZhIi3tL+2S3AB9Biw1aYut26punJ7X7D1RJ
        fnfhgiAheNjamxuOz3g0dTGj40b/E6TX8cDmrz0/cdYqLtv0SgB9EuXJb1BFm63D
        D3mo3cxZzX8IJUOo3iWoNckGypwUngsGo+ZW+JPV6bb9ytGRqhvb2RxxnFciJz0A
        COhWXubEGglMPoK9XJyIZMPzn65X8nogx+HBG18CAwEAAaAAMA0GCSqGSIb3DQEB
        BQUAA4IBAQA6iOwVDy2X3oAWRr3OfL0fwdWDd5/nIJlyJojIqiVTwWN+kwDUcn7I
        NSWQaWS21zgg2aKLDoBxtFWxbMTv0n1Ncpl8v4lWlaQWqXnDXFsURRjqC/+Zqsoz
        wDoDYTe/OdmfPKH4pxZLG+ncrCmcJJIh/2jLV7MoAoQiOgNDjrDM9j0KogyCZKlD
        SOrhFFj6b52au1dqgcBaWrLhk39i5MGBsKDWuV1AYwMD9pWlS779OI3TRhVbJu6u
        VYsRfItAHhfpxfAUSfn7OQLRlQgpECH5VhxeAIb7jqOOAhdVaG22r7PUeY7SE/rD
        QOsQ/n6Hd0j2H0fh6giyFZBDN05hLlN/
        -----END CERTIFICATE REQUEST-----
        """;

    /// <summary>An EC P-256 request signed with ECDSA and SHA-1 (made with OpenSSL).</summary>
    public const string EcSha1 = """
        -----BEGIN CERTIFICATE REQUEST-----
        MIHHMHECAQAwDzENMAsGA1UEAwwEc2hhMTBZMBMGByqGSM49AgEGCCqGSM49AwEH
        A0IABEKb0Qtfrogonrp52TTmanZePnsluITl2XB/9QcxdNd4B8NvdHRu8BbDGIXA
        spsATXW5VcQMa6eY+PRYFhrEd92gADAJBgcqhkjOPQQBA0cAMEQCIBDugIOaNhki
        zUPuQAhMyi0dg2Iu0qO4LdjPHQ0R2PmqAiA5O9kLKoyoqJhcLj3axXMGgDUv7lrR
        UBtmLDk6H93KoQ==
        -----END CERTIFICATE REQUEST-----
        """;

    public static string Rsa(int bits, HashAlgorithmName? hash = null, RSASignaturePadding? padding = null)
    {
        using var key = RSA.Create(bits);
        return new CertificateRequest("CN=device", key, hash ?? HashAlgorithmName.SHA256, padding ?? RSASignaturePadding.Pkcs1).CreateSigningRequestPem();
    }

    public static string Ec(ECCurve curve, HashAlgorithmName? hash = null)
    {
        using var key = ECDsa.Create(curve);
        return new CertificateRequest("CN=device", key, hash ?? HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }
}

using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using NSubstitute;
using Provision.Core;
using Provision.Core.Devices;
using Provision.Core.Security;

namespace Provision.Tests.Security;

public class TokensTests
{
    [Fact]
    public void New_TwoTokens_DifferAndCarryAtLeast128Bits()
    {
        var first = Tokens.New();
        var second = Tokens.New();

        Assert.NotEqual(first, second);
        Assert.True(first.Length * 6 >= 128, $"token of {first.Length} base64 characters");
        Assert.Matches("^[A-Za-z0-9_-]+$", first);
    }

    [Fact]
    public void Hash_Token_IsLowerHexSha256AndNotTheToken()
    {
        var token = Tokens.New();

        var hash = Tokens.Hash(token);

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))), hash);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", false)]
    public void Matches_WrongOrMissingHash_False(string? hash, bool expected) =>
        Assert.Equal(expected, Tokens.Matches("token", hash));

    [Fact]
    public void Matches_OwnHash_True()
    {
        var token = Tokens.New();

        Assert.True(Tokens.Matches(token, Tokens.Hash(token)));
    }

    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("BEARER  abc ", "abc")]
    [InlineData("abc", "abc")]
    [InlineData("  abc  ", "abc")]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("Bearer ", null)]
    public void FromAuthorizationHeader_Forms_ReturnToken(string? header, string? expected) =>
        Assert.Equal(expected, Tokens.FromAuthorizationHeader(header));

    [Fact]
    public void Base32_Length_UsesRfc4648Alphabet()
    {
        var id = Tokens.Base32(12);

        Assert.Matches("^[A-Z2-7]{12}$", id);
    }
}

public class PrivateKeyProtectorTests
{
    private const string Pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";

    [Fact]
    public void Protect_ThenUnprotect_RoundTripsWithoutPlaintextAtRest()
    {
        var protector = Protector("k2", NewKey());

        var envelope = protector.Protect(Pem, "D1");

        Assert.StartsWith("v1.k2.", envelope);
        Assert.DoesNotContain("PRIVATE KEY", envelope);
        Assert.Equal(Pem, protector.Unprotect(envelope, "D1"));
    }

    [Fact]
    public void Protect_SameKeyTwice_DifferentEnvelopes() =>
        Assert.NotEqual(Protector("k1", NewKey()).Protect(Pem, "D1"), Protector("k1", NewKey()).Protect(Pem, "D1"));

    [Fact]
    public void Unprotect_OtherDevice_Fails()
    {
        var protector = Protector("k1", NewKey());
        var envelope = protector.Protect(Pem, "D1");

        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(envelope, "D2"));
    }

    [Fact]
    public void Unprotect_AfterRotation_RetiredKeyStillDecrypts()
    {
        var oldKey = NewKey();
        var envelope = Protector("k1", oldKey).Protect(Pem, "D1");
        var rotated = new PrivateKeyProtector(Options.Create(new SecurityOptions
        {
            KeyEncryptionKeyId = "k2",
            KeyEncryptionKey = NewKey(),
            RetiredKeys = { ["k1"] = oldKey },
        }));

        Assert.Equal(Pem, rotated.Unprotect(envelope, "D1"));
        Assert.StartsWith("v1.k2.", rotated.Protect(Pem, "D1"));
    }

    [Fact]
    public void Unprotect_AfterRotation_PreviousKeyStillDecrypts()
    {
        var oldKey = NewKey();
        var envelope = Protector("k1", oldKey).Protect(Pem, "D1");
        var rotated = new PrivateKeyProtector(Options.Create(new SecurityOptions
        {
            KeyEncryptionKeyId = "k2",
            KeyEncryptionKey = NewKey(),
            PreviousKeyEncryptionKeyId = "k1",
            PreviousKeyEncryptionKey = oldKey,
        }));

        Assert.Equal(Pem, rotated.Unprotect(envelope, "D1"));
        Assert.StartsWith("v1.k2.", rotated.Protect(Pem, "D1"));
    }

    [Fact]
    public void Validate_PreviousKeyWithTheCurrentId_FailsNamingTheSetting()
    {
        var options = new SecurityOptions { KeyEncryptionKey = NewKey(), KeyEncryptionKeyId = "k1", PreviousKeyEncryptionKeyId = "k1", PreviousKeyEncryptionKey = NewKey() };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Security:PreviousKeyEncryptionKeyId", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_PreviousKeyIdWithoutAKey_FailsNamingTheKey()
    {
        var options = new SecurityOptions { KeyEncryptionKey = NewKey(), KeyEncryptionKeyId = "k2", PreviousKeyEncryptionKeyId = "k1" };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("'k1'", StringComparison.Ordinal));
    }

    [Fact]
    public void Unprotect_UnknownKeyId_FailsNamingTheKey()
    {
        var envelope = Protector("gone", NewKey()).Protect(Pem, "D1");

        var error = Assert.ThrowsAny<CryptographicException>(() => Protector("k2", NewKey()).Unprotect(envelope, "D1"));

        Assert.Contains("'gone'", error.Message);
    }

    [Fact]
    public void Unprotect_TamperedCiphertext_Fails()
    {
        var protector = Protector("k1", NewKey());
        var envelope = protector.Protect(Pem, "D1");
        var bytes = Convert.FromBase64String(envelope.Split('.')[2]);
        bytes[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect($"v1.k1.{Convert.ToBase64String(bytes)}", "D1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("c2hvcnQ=")]
    [InlineData("not base64!")]
    public void SecurityOptions_BadKey_Invalid(string key)
    {
        var options = new SecurityOptions { KeyEncryptionKey = key };

        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(results, r => r.ErrorMessage!.Contains("32 bytes"));
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static PrivateKeyProtector Protector(string keyId, string key) =>
        new(Options.Create(new SecurityOptions { KeyEncryptionKeyId = keyId, KeyEncryptionKey = key }));
}

public class DeviceAuthenticatorTests
{
    private readonly IDeviceStore _devices = Substitute.For<IDeviceStore>();

    [Fact]
    public async Task Authenticate_OwnToken_ReturnsDeviceWithOneRead()
    {
        var (device, token) = Device("D1");
        _devices.GetAsync("D1").Returns(device);

        var found = await Authenticator().AuthenticateAsync($"Bearer {token}", "D1");

        Assert.Same(device, found);
        await _devices.DidNotReceive().FindIdByTokenHashAsync(Arg.Any<string>());
    }

    [Fact]
    public async Task Authenticate_OtherDevicesToken_FailsAfterOneRead()
    {
        var (mine, _) = Device("D1");
        var (other, otherToken) = Device("D2");
        _devices.GetAsync("D1").Returns(mine);
        _devices.GetAsync("D2").Returns(other);
        _devices.FindIdByTokenHashAsync(Tokens.Hash(otherToken)).Returns("D2");

        await Assert.ThrowsAsync<AuthenticationFailedException>(() => Authenticator().AuthenticateAsync(otherToken, "D1"));

        await _devices.Received(1).GetAsync(Arg.Any<string>(), Arg.Any<CancellationToken>());
        await _devices.DidNotReceive().FindIdByTokenHashAsync(Arg.Any<string>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Authenticate_StaleIndexEntry_AuthenticationFailed()
    {
        var (device, _) = Device("D1");
        _devices.GetAsync("D1").Returns(device);
        _devices.FindIdByTokenHashAsync(Arg.Any<string>()).Returns("D1");

        await Assert.ThrowsAsync<AuthenticationFailedException>(() => Authenticator().AuthenticateAsync("old-token", null));
    }

    [Fact]
    public async Task Authenticate_ReleasedDevice_AuthenticationFailed()
    {
        var (device, token) = Device("D1");
        device.MoveTo(DeviceState.Releasing);
        device.MoveTo(DeviceState.Released);
        _devices.GetAsync("D1").Returns(device);

        await Assert.ThrowsAsync<AuthenticationFailedException>(() => Authenticator().AuthenticateAsync(token, "D1"));
    }

    [Fact]
    public async Task Authenticate_NoHeader_AuthenticationFailedWithoutStorage()
    {
        await Assert.ThrowsAsync<AuthenticationFailedException>(() => Authenticator().AuthenticateAsync(null, "D1"));

        await _devices.DidNotReceiveWithAnyArgs().GetAsync(default!);
    }

    private static (Device Device, string Token) Device(string id)
    {
        var token = Tokens.New();
        return (new Device { Id = id, ProductId = "P1", TokenHash = Tokens.Hash(token) }, token);
    }

    private DeviceAuthenticator Authenticator() => new(
        _devices, Substitute.For<Provision.Core.Products.IFleetTokenStore>(), Substitute.For<Provision.Core.Limits.IUsageLimiter>(),
        Microsoft.Extensions.Options.Options.Create(new FleetDeviceOptions()), TimeProvider.System);
}

using Provision.Emulators.Aws;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Provision.Core.Devices;
using Provision.Core.Products;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

public class ProvisioningFlowTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws)
{
    [Fact]
    public async Task Register_NewDevice_ReturnsTokenAndConfiguredApi()
    {
        await CreateProductAsync();

        var answer = await PostAsync(Function<RegisterFunction>().Register, new { id = "DEV0000001", product = ProductId }, $"Bearer {ProductToken}");

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.True(answer.Body.GetProperty("registered").GetBoolean());
        Assert.Equal("DEV0000001", answer.String("id"));
        Assert.Equal(TestHost.PublicUrl, answer.String("api"));
        Assert.True(answer.String("token").Length >= 22);
        var stored = (await Devices.GetAsync("DEV0000001"))!;
        Assert.Equal(DeviceState.Registered, stored.State);
        Assert.DoesNotContain(answer.String("token"), stored.TokenHash);
    }

    [Fact]
    public async Task GetCerts_ClaimedNotYetProvisioned_Answers202WithRetryAfter()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);

        var answer = await GetCertsAsync(id, token);

        Assert.Equal(StatusCodes.Status202Accepted, answer.Status);
        Assert.Equal("provisioning", answer.String("status"));
        Assert.Equal("5", answer.Headers.RetryAfter.ToString());
        Assert.Equal(1, await Queue.PendingCountAsync());
    }

    [Fact]
    public async Task GetCerts_ClaimMessageLost_QueuesAnotherOnce()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        await Queue.Queue.ClearMessagesAsync();
        var device = (await Devices.GetAsync(id))!;
        device.ProvisionRequested = DateTimeOffset.UtcNow.AddMinutes(-2);
        await Devices.UpdateAsync(device);

        await GetCertsAsync(id, token);
        await GetCertsAsync(id, token);

        Assert.Equal(1, await Queue.PendingCountAsync());
        await Queue.RunAsync();
        Assert.Equal(StatusCodes.Status200OK, (await GetCertsAsync(id, token)).Status);
    }

    [Fact]
    public async Task GetCerts_Unclaimed_Answers403NotClaimed()
    {
        var (id, token) = await RegisterAsync();

        var answer = await GetCertsAsync(id, token);

        Assert.Equal(StatusCodes.Status403Forbidden, answer.Status);
        Assert.Equal("Device is not claimed", answer.Error);
    }

    [Fact]
    public async Task ClaimQueueGetCerts_ServerKey_CertificateChainsToCaAndMatchesKey()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id, "ACCT42");

        Assert.Equal(StatusCodes.Status202Accepted, (await GetCertsAsync(id, token)).Status);
        await Queue.RunAsync();
        var answer = await GetCertsAsync(id, token);

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Equal(id, answer.String("id"));
        Assert.Equal(id, answer.String("thing"));
        Assert.Equal("ACCT42", answer.String("accountId"));
        Assert.Equal(443, answer.Body.GetProperty("port").GetInt32());
        Assert.Equal(Emulator.Region, answer.String("region"));
        Assert.EndsWith($"-ats.iot.{Emulator.Region}.amazonaws.com", answer.String("endpoint"));
        using var certificate = X509Certificate2.CreateFromPem(answer.String("certificate"), answer.String("key"));
        Assert.True(certificate.HasPrivateKey);
        Assert.True(ChainsToEmulatorCa(certificate));
        Assert.Equal([answer.String("certificate").Trim()], ActiveCertificates().Select(c => c.Pem.Trim()));
        Assert.Single(ActiveAttachedCertificates(id));
        Assert.Equal(1, Emulator.Journal.CountSucceeded("CreateKeysAndCertificate"));
        // Created active: its key existed only in the answer, so no activation call is spent.
        Assert.Equal(0, Emulator.Journal.Count("UpdateCertificate"));
    }

    [Fact]
    public async Task ClaimQueueGetCerts_DeviceCsr_CertificateHasDeviceKeyAndSubjectAndNoKeyIsSent()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        var (key, csr) = NewCsr(id);

        Assert.Equal(StatusCodes.Status202Accepted, (await GetCertsAsync(id, token, csr)).Status);
        await Queue.RunAsync();
        var answer = await GetCertsAsync(id, token, csr);

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.False(answer.Body.TryGetProperty("key", out _));
        using var certificate = X509Certificate2.CreateFromPem(answer.String("certificate"));
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Contains($"CN={id}", certificate.Subject);
        Assert.True(ChainsToEmulatorCa(certificate));
        Assert.Equal(0, Emulator.Journal.Count("CreateKeysAndCertificate"));
        Assert.Equal(1, Emulator.Journal.CountSucceeded("CreateCertificateFromCsr"));
        // The device holds the key: created inactive, activated once recorded.
        Assert.Equal(1, Emulator.Journal.CountSucceeded("UpdateCertificate"));
        Assert.Equal(["CreateCertificateFromCsr", "AttachPolicy", "AttachThingPrincipal", "UpdateCertificate"],
            Emulator.Journal.Calls.Select(c => c.Operation).Where(o => o is "CreateCertificateFromCsr" or "AttachPolicy" or "AttachThingPrincipal" or "UpdateCertificate"));
        Assert.Null((await Devices.GetAsync(id))!.EncryptedPrivateKey);
    }

    [Fact]
    public async Task Provision_StoresPrivateKeyEncryptedOnly()
    {
        var (id, token) = await ProvisionedDeviceAsync();

        var answer = await GetCertsAsync(id, token);
        var stored = (await Devices.GetAsync(id))!;

        Assert.NotNull(stored.EncryptedPrivateKey);
        Assert.StartsWith("v1.test1.", stored.EncryptedPrivateKey);
        Assert.DoesNotContain("PRIVATE KEY", stored.EncryptedPrivateKey);
        Assert.Contains("PRIVATE KEY", answer.String("key"));
        Assert.NotNull(stored.KeyPurgeAfter);
    }

    [Fact]
    public async Task GetCerts_AfterKeyPurge_ReissuesAndRetiresOldCertificate()
    {
        var (id, token) = await ProvisionedDeviceAsync();
        var first = await GetCertsAsync(id, token);
        var device = (await Devices.GetAsync(id))!;
        device.KeyPurgeAfter = DateTimeOffset.UtcNow.AddMinutes(-1);
        await Devices.UpdateAsync(device);
        await Function<KeyPurgeFunction>().PurgeDeliveredKeys(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);
        Assert.Null((await Devices.GetAsync(id))!.EncryptedPrivateKey);

        var pending = await GetCertsAsync(id, token);
        await Queue.RunAsync();
        var second = await GetCertsAsync(id, token);

        Assert.Equal(StatusCodes.Status202Accepted, pending.Status);
        Assert.Equal(StatusCodes.Status200OK, second.Status);
        Assert.NotEqual(first.String("certificate"), second.String("certificate"));
        Assert.Contains("PRIVATE KEY", second.String("key"));
        var active = ActiveAttachedCertificates(id);
        Assert.Single(active);
        Assert.Single(ActiveCertificates());
        Assert.Single(Emulator.State.Things[id].Principals);
    }

    [Fact]
    public async Task GetCreds_ClaimedDevice_ReturnsEmulatorStsCredentialsWithSessionTags()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id, "ACCT7");

        var answer = await PostAsync(Function<GetCredsFunction>().GetCreds, new { id }, $"Bearer {token}");

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        var session = Assert.Single(SessionsOf(id));
        Assert.Equal(session.AccessKeyId, answer.String("accessKeyId"));
        Assert.False(string.IsNullOrEmpty(answer.String("secretAccessKey")));
        Assert.False(string.IsNullOrEmpty(answer.String("sessionToken")));
        Assert.Equal(Emulator.Region, answer.String("region"));
        Assert.True(DateTimeOffset.Parse(answer.String("expires"), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", answer.String("expires"));
        Assert.Equal($"arn:aws:iam::{Emulator.AccountId}:role/IotoDeviceRole", session.RoleArn);
        Assert.Equal(id, session.RoleSessionName);
        Assert.Equal(id, session.Tags["deviceId"]);
        Assert.Equal(ProductId, session.Tags["productId"]);
        Assert.Equal("ACCT7", session.Tags["accountId"]);
    }

    [Fact]
    public async Task GetCreds_NoBodyBareToken_FindsDeviceByToken()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);

        var answer = await HttpCall.PostRawAsync(Services, Function<GetCredsFunction>().TokDeviceGetCreds, rawBody: null, authorization: token);

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Single(SessionsOf(id));
    }

    [Fact]
    public async Task GetCreds_Unclaimed_Answers403()
    {
        var (id, token) = await RegisterAsync();

        var answer = await PostAsync(Function<GetCredsFunction>().GetCreds, new { id }, $"Bearer {token}");

        Assert.Equal(StatusCodes.Status403Forbidden, answer.Status);
        Assert.Equal("Device is not claimed", answer.Error);
        Assert.Empty(SessionsOf(id));
    }

    [Fact]
    public async Task TokProvision_BareToken_SameAsGetCerts()
    {
        var (id, token) = await ProvisionedDeviceAsync();

        var answer = await PostAsync(Function<GetCertsFunction>().TokDeviceProvision, new { id }, token);

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Equal(id, answer.String("thing"));
    }

    [Fact]
    public async Task Register_StrictProductAgainWithProductTokenOnly_RefusedAndTokenUnchanged()
    {
        await CreateProductAsync(ReregistrationMode.Token);
        var (id, token) = await RegisterAsync();
        var before = (await Devices.GetAsync(id))!.TokenHash;

        var answer = await PostAsync(Function<RegisterFunction>().Register, new { id, product = ProductId }, $"Bearer {ProductToken}");

        Assert.Equal(StatusCodes.Status409Conflict, answer.Status);
        Assert.Contains("already registered", answer.Error);
        Assert.Equal(before, (await Devices.GetAsync(id))!.TokenHash);
        Assert.Equal(StatusCodes.Status403Forbidden, (await GetCertsAsync(id, token)).Status);
    }

    [Fact]
    public async Task Register_Again_WithItsCurrentToken_ReturnsSameToken()
    {
        var (id, token) = await RegisterAsync();

        var answer = await PostAsync(Function<RegisterFunction>().Register, new { id, product = ProductId, token }, $"Bearer {ProductToken}");

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Equal(token, answer.String("token"));
    }

    [Fact]
    public async Task Register_WrongProductToken_Answers401AndCreatesNothing()
    {
        await CreateProductAsync();

        var answer = await PostAsync(Function<RegisterFunction>().Register, new { id = "DEVNOPE001", product = ProductId }, "Bearer not-the-product-token");

        Assert.Equal(StatusCodes.Status401Unauthorized, answer.Status);
        Assert.Equal("Authentication failed", answer.Error);
        Assert.Null(await Devices.GetAsync("DEVNOPE001"));
    }

    private bool ChainsToEmulatorCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Emulator.CaCertificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}

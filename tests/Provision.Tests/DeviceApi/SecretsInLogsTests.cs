using Microsoft.AspNetCore.Http;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

public class SecretsInLogsTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws)
{
    [Fact]
    public async Task FullDeviceFlow_LogsNoTokenKeyCertificateOrCredential()
    {
        var (id, token) = await ProvisionedDeviceAsync();
        var certs = await GetCertsAsync(id, token);
        var creds = await PostAsync(Function<GetCredsFunction>().GetCreds, new { id }, $"Bearer {token}");
        await PostAsync(Function<CheckinFunction>().Checkin, new { id }, "Bearer wrong-token");
        Assert.Equal(StatusCodes.Status200OK, certs.Status);
        Assert.Equal(StatusCodes.Status200OK, creds.Status);

        var secrets = new[]
        {
            token, ProductToken, "PRIVATE KEY", "BEGIN CERTIFICATE", "wrong-token",
            creds.String("secretAccessKey"), creds.String("sessionToken"), Emulator.SecretAccessKey,
        };
        Assert.NotEmpty(Logs.Lines);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }
}

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Emulators.Aws;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

public class CredentialsLimitTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws, settings => settings["Credentials:PermitsPerWindow"] = "2")
{
    [Fact]
    public async Task GetCreds_OverPerDeviceLimit_Answers429WithDelayAndSpareStsCalls()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        var (other, otherToken) = await RegisterAsync();
        await ClaimAsync(other);

        var first = await GetCredsAsync(id, token);
        var second = await GetCredsAsync(id, token);
        var third = await GetCredsAsync(id, token);
        var otherDevice = await GetCredsAsync(other, otherToken);

        Assert.Equal(StatusCodes.Status200OK, first.Status);
        Assert.Equal(StatusCodes.Status200OK, second.Status);
        Assert.Equal(StatusCodes.Status429TooManyRequests, third.Status);
        Assert.Contains("Too many credential requests", third.Error);
        var delay = third.Body.GetProperty("delay").GetInt32();
        Assert.InRange(delay, 1, 60);
        Assert.Equal(delay.ToString(System.Globalization.CultureInfo.InvariantCulture), third.Headers.RetryAfter.ToString());
        Assert.Equal(2, SessionsOf(id).Count);
        Assert.Equal(StatusCodes.Status200OK, otherDevice.Status);
    }

    [Fact]
    public async Task GetCreds_OverLimitAcrossTwoInstances_Answers429()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        using var secondInstance = SecondInstance();

        var first = await GetCredsAsync(id, token);
        var second = await HttpCall.PostAsync(secondInstance, ActivatorUtilities.CreateInstance<GetCredsFunction>(secondInstance).GetCreds, new { id }, $"Bearer {token}");
        var third = await GetCredsAsync(id, token);

        Assert.Equal(StatusCodes.Status200OK, first.Status);
        Assert.Equal(StatusCodes.Status200OK, second.Status);
        Assert.Equal(StatusCodes.Status429TooManyRequests, third.Status);
        Assert.Equal(2, SessionsOf(id).Count);
    }

    [Fact]
    public async Task GetCreds_StsThrottling_Answers503WithRetryAfter()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        using var fault = Emulator.Faults.Inject("AssumeRole", FaultKind.Throttle);

        var answer = await GetCredsAsync(id, token);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, answer.Status);
        Assert.Equal("AWS is busy or unavailable. Retry later.", answer.Error);
        Assert.Equal("10", answer.Headers.RetryAfter.ToString());
        Assert.Empty(SessionsOf(id));
    }

    private Task<HttpAnswer> GetCredsAsync(string id, string token) =>
        PostAsync(Function<GetCredsFunction>().GetCreds, new { id }, $"Bearer {token}");
}

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Functions;

public class HealthFunctionTests
{
    [Fact]
    public async Task Health_StorageAnswers_Returns200WithRoundTrip()
    {
        using var services = TestHost.Build(TestHost.Settings());
        var function = ActivatorUtilities.CreateInstance<HealthFunction>(services);

        var answer = await HttpCall.PostRawAsync(services, function.Health, rawBody: null, method: "GET");

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Equal("healthy", answer.String("status"));
        Assert.True(answer.Body.GetProperty("storageRoundTripMs").GetDouble() > 0);
    }

    [Fact]
    public async Task Health_StorageDown_Returns503WithReason()
    {
        using var services = TestHost.Build(TestHost.Settings(Azurite.UnreachableConnectionString()));
        var function = ActivatorUtilities.CreateInstance<HealthFunction>(services);

        var answer = await HttpCall.PostRawAsync(services, function.Health, rawBody: null, method: "GET");

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, answer.Status);
        Assert.Equal("unhealthy", answer.String("status"));
        Assert.Contains("Storage is unavailable", answer.Error);
    }
}

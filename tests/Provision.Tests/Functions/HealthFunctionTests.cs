using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Storage;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Functions;

public class HealthFunctionTests
{
    [Fact]
    public async Task Health_StorageAnswers_Returns200WithRoundTrip()
    {
        using var services = TestHost.Build(TestHost.Settings());
        var function = new HealthFunction(services.GetRequiredService<IStorageHealth>());

        var response = await HttpResults.ExecuteAsync(function.Health(new DefaultHttpContext().Request, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var body = response.Json;
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("storageRoundTripMs").GetDouble() > 0);
    }

    [Fact]
    public async Task Health_StorageDown_Returns503WithReason()
    {
        using var services = TestHost.Build(TestHost.Settings(Azurite.UnreachableConnectionString()));
        var function = new HealthFunction(services.GetRequiredService<IStorageHealth>());

        var response = await HttpResults.ExecuteAsync(function.Health(new DefaultHttpContext().Request, CancellationToken.None));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.Status);
        var body = response.Json;
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Contains("Storage is unavailable", body.GetProperty("error").GetString());
    }
}

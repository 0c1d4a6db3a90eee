using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provision.Core.Security;
using Provision.Core.Storage;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;
using static Provision.Tests.DeviceApi.CheckinCostTests;

namespace Provision.Tests.DeviceApi;

/// <summary>What a made-up token costs in Table Storage requests, counted on the wire to Azurite.</summary>
public class UnknownTokenCostTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws, overrides: services =>
{
    services.AddSingleton<RequestRecorder>();
    services.AddSingleton(sp =>
    {
        var options = new TableClientOptions();
        options.AddPolicy(sp.GetRequiredService<RequestRecorder>(), Azure.Core.HttpPipelinePosition.PerCall);
        return new TableServiceClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString, options);
    });
})
{
    private RequestRecorder Recorder => Services.GetRequiredService<RequestRecorder>();

    private string TableName(string table) => Services.GetRequiredService<ProvisionTables>().NameOf(table);

    [Fact]
    public async Task Checkin_UnknownTokenForRealDevice_OneStorageRead()
    {
        var (id, _) = await RegisterAsync();
        var (_, otherToken) = await RegisterAsync();
        Recorder.Requests.Clear();

        var unknown = await PostAsync(Function<CheckinFunction>().Checkin, new { id }, $"Bearer {Tokens.New()}");
        var others = await PostAsync(Function<CheckinFunction>().Checkin, new { id }, $"Bearer {otherToken}");

        Assert.Equal(StatusCodes.Status401Unauthorized, unknown.Status);
        Assert.Equal(StatusCodes.Status401Unauthorized, others.Status);
        Assert.Equal([$"GET {TableName(ProvisionTables.Devices)}", $"GET {TableName(ProvisionTables.Devices)}"], Recorder.Requests.ToArray());
    }

    [Fact]
    public async Task GetCreds_UnknownBareToken_OneStorageRead()
    {
        await RegisterAsync();
        Recorder.Requests.Clear();

        var answer = await PostAsync(Function<GetCredsFunction>().GetCreds, null, Tokens.New());

        Assert.Equal(StatusCodes.Status401Unauthorized, answer.Status);
        Assert.Equal([$"GET {TableName(ProvisionTables.DeviceTokens)}"], Recorder.Requests.ToArray());
    }
}

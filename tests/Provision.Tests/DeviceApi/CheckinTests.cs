using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Releases;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

public class CheckinTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws)
{
    private IReleaseStore Releases => Services.GetRequiredService<IReleaseStore>();

    [Fact]
    public async Task Checkin_NoNewerRelease_AnswersEmptyObject()
    {
        var (id, token) = await RegisterAsync();
        await AddReleaseAsync("1.0.0");

        var answer = await CheckinAsync(id, token, new { id, version = "1.0.0" });

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Empty(answer.Body.EnumerateObject());
    }

    [Fact]
    public async Task Checkin_NewerRelease_OffersNewestWithChecksumUrlAndId()
    {
        var (id, token) = await RegisterAsync();
        await AddReleaseAsync("1.1.0");
        var newest = await AddReleaseAsync("1.10.0");
        await AddReleaseAsync("1.2.0");

        var answer = await CheckinAsync(id, token, new { id, version = "1.0.0" });

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Equal("1.10.0", answer.String("version"));
        Assert.Equal(newest.Id, answer.String("update"));
        Assert.Equal(newest.Url, answer.String("url"));
        Assert.Equal(newest.Checksum, answer.String("checksum"));
    }

    [Fact]
    public async Task Checkin_NoVersionInBody_UsesVersionFromRegistry()
    {
        var (id, token) = await RegisterAsync();
        await AddReleaseAsync("2.0.0");
        await CheckinAsync(id, token, new { id, version = "2.0.0" });

        var answer = await CheckinAsync(id, token, new { id });

        Assert.Empty(answer.Body.EnumerateObject());
        Assert.Equal("2.0.0", (await Devices.GetAsync(id))!.Version);
    }

    [Fact]
    public async Task Checkin_TestOnlyRelease_OfferedOnlyToTestDevices()
    {
        var (id, token) = await RegisterAsync();
        await AddReleaseAsync("3.0.0", r => r.TestOnly = true);

        var regular = await CheckinAsync(id, token, new { id, version = "1.0.0" });
        var test = await CheckinAsync(id, token, new { id, version = "1.0.0", test = true });

        Assert.Empty(regular.Body.EnumerateObject());
        Assert.Equal("3.0.0", test.String("version"));
    }

    [Fact]
    public async Task Checkin_PolicyTrueForDevice_Offers()
    {
        var (id, token) = await RegisterAsync();
        await AddReleaseAsync("2.0.0", r => r.Policy = "version >= \"1.2.0\" && pro == true");

        var answer = await CheckinAsync(id, token, new { id, version = "1.10.0", pro = true });

        Assert.Equal("2.0.0", answer.String("version"));
    }

    [Fact]
    public async Task Checkin_PolicyFalseForDevice_FallsBackToOlderRelease()
    {
        var (id, token) = await RegisterAsync();
        await AddReleaseAsync("1.5.0");
        await AddReleaseAsync("2.0.0", r => r.Policy = "version >= \"1.2.0\" && pro == true");

        var answer = await CheckinAsync(id, token, new { id, version = "1.3.0", pro = false });

        Assert.Equal("1.5.0", answer.String("version"));
    }

    [Fact]
    public async Task Checkin_PolicyUsesStoredPropertiesWhenNoneSent()
    {
        var (id, token) = await RegisterAsync();
        await AddReleaseAsync("2.0.0", r => r.Policy = "model == \"x2\"");
        await CheckinAsync(id, token, new { id, version = "1.0.0", model = "x2" });

        var answer = await CheckinAsync(id, token, new { id });

        Assert.Equal("2.0.0", answer.String("version"));
        Assert.Equal("""{"model":"x2"}""", (await Devices.GetAsync(id))!.Properties);
    }

    [Fact]
    public async Task Checkin_RolloutInAndOut_FollowsStableHash()
    {
        var release = await AddReleaseAsync("2.0.0", r => r.Rollout = 50);
        var inside = await RegisterWhereAsync(candidate => ReleaseSelector.InRollout(candidate, release.Id, 50));
        var outside = await RegisterWhereAsync(candidate => !ReleaseSelector.InRollout(candidate, release.Id, 50));

        var offered = await CheckinAsync(inside.Id, inside.Token, new { id = inside.Id, version = "1.0.0" });
        var notOffered = await CheckinAsync(outside.Id, outside.Token, new { id = outside.Id, version = "1.0.0" });

        Assert.Equal("2.0.0", offered.String("version"));
        Assert.Empty(notOffered.Body.EnumerateObject());
    }

    [Fact]
    public async Task Checkin_DisabledRelease_NotOffered()
    {
        var (id, token) = await RegisterAsync();
        await AddReleaseAsync("2.0.0", r => r.Enabled = false);

        var answer = await CheckinAsync(id, token, new { id, version = "1.0.0" });

        Assert.Empty(answer.Body.EnumerateObject());
    }

    [Fact]
    public async Task UpdateReport_Success_CountedForRelease()
    {
        var (id, token) = await RegisterAsync();
        var release = await AddReleaseAsync("2.0.0");
        await CheckinAsync(id, token, new { id, version = "1.0.0" });
        var reports = Services.GetRequiredService<IUpdateReportStore>();
        Assert.Equal(new ReleaseCounters(1, 0, 0), await reports.CountAsync(release.Id));

        var answer = await PostAsync(Function<CheckinFunction>().TokProvisionUpdateReport, new { id, update = release.Id, success = true }, token);

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Equal(new ReleaseCounters(1, 1, 0), await reports.CountAsync(release.Id));
    }

    [Fact]
    public async Task UpdateReport_UnknownRelease_Answers404()
    {
        var (id, token) = await RegisterAsync();

        var answer = await PostAsync(Function<CheckinFunction>().TokProvisionUpdateReport, new { id, update = "no-such-release", success = false }, token);

        Assert.Equal(StatusCodes.Status404NotFound, answer.Status);
        Assert.Contains("no-such-release", answer.Error);
    }

    [Fact]
    public async Task TokRoutes_BareToken_UpdateThenReportFailure()
    {
        var (id, token) = await RegisterAsync();
        var release = await AddReleaseAsync("2.0.0");

        var offer = await PostAsync(Function<CheckinFunction>().TokProvisionUpdate, new { id, version = "1.0.0" }, token);
        var report = await PostAsync(Function<CheckinFunction>().TokProvisionUpdateReport, new { id, update = offer.String("update"), success = false }, token);

        Assert.Equal(release.Id, offer.String("update"));
        Assert.Equal(StatusCodes.Status200OK, report.Status);
        Assert.Equal(new ReleaseCounters(1, 0, 1), await Services.GetRequiredService<IUpdateReportStore>().CountAsync(release.Id));
    }

    [Fact]
    public async Task Checkin_MaxDevicesOnTwoInstances_OffersExactlyThatMany()
    {
        var release = await AddReleaseAsync("2.0.0", r => r.MaxDevices = 3);
        var devices = new List<(string Id, string Token)>();
        for (var i = 0; i < 8; i++)
        {
            devices.Add(await RegisterAsync());
        }
        using var second = SecondInstance();
        var functions = new[] { Function<CheckinFunction>(), ActivatorUtilities.CreateInstance<CheckinFunction>(second) };

        var answers = await Task.WhenAll(devices.Select((d, n) =>
            PostAsync(functions[n % 2].Checkin, new { id = d.Id, version = "1.0.0" }, $"Bearer {d.Token}")));
        var again = await Task.WhenAll(devices.Select(d => CheckinAsync(d.Id, d.Token, new { id = d.Id, version = "1.0.0" })));

        Assert.All(answers, a => Assert.Equal(StatusCodes.Status200OK, a.Status));
        Assert.Equal(3, answers.Count(a => a.Body.TryGetProperty("update", out _)));
        Assert.Equal(
            answers.Select(a => a.Body.TryGetProperty("update", out _)),
            again.Select(a => a.Body.TryGetProperty("update", out _)));
        Assert.Equal(new ReleaseCounters(3, 0, 0), await Services.GetRequiredService<IUpdateReportStore>().CountAsync(release.Id));
    }

    [Fact]
    public async Task Checkin_StringPropertiesAndBuilderPolicy_Offered()
    {
        var (id, token) = await RegisterAsync();
        var release = await AddReleaseAsync("2.0.0", r => r.Policy = "semver(version, \"<\", newVersion) && pro == true && memory > 256 && try-beta-features == 1");

        var answer = await CheckinAsync(id, token, new Dictionary<string, string>
        {
            ["id"] = id, ["version"] = "1.0.0", ["pro"] = "true", ["memory"] = "512", ["try-beta-features"] = "1",
        });

        Assert.Equal(release.Id, answer.String("update"));
    }

    [Fact]
    public async Task Checkin_RollbackRelease_OfferedToTheBadVersionOnly()
    {
        var (id, token) = await RegisterAsync();
        await AddReleaseAsync("1.2.3", r => r.Enabled = false);
        var rollback = await AddReleaseAsync("1.2.2", r => r.Policy = "version == '1.2.3'");

        var onBad = await CheckinAsync(id, token, new { id, version = "1.2.3" });
        var onRollback = await CheckinAsync(id, token, new { id, version = "1.2.2" });

        Assert.Equal(rollback.Id, onBad.String("update"));
        Assert.Empty(onRollback.Body.EnumerateObject());
    }

    private Task<HttpAnswer> CheckinAsync(string id, string token, object body) =>
        PostAsync(Function<CheckinFunction>().Checkin, body, $"Bearer {token}");

    private async Task<Release> AddReleaseAsync(string version, Action<Release>? configure = null)
    {
        if (await Services.GetRequiredService<Provision.Core.Products.IProductStore>().GetAsync(ProductId) is null)
        {
            await CreateProductAsync();
        }
        var release = Domain.ReleaseTests.NewRelease(version, productId: ProductId);
        configure?.Invoke(release);
        return await Releases.AddAsync(release);
    }

    private async Task<(string Id, string Token)> RegisterWhereAsync(Func<string, bool> accept)
    {
        for (var i = 0; i < 1000; i++)
        {
            var candidate = "D" + Provision.Core.Security.Tokens.Base32(11);
            if (accept(candidate))
            {
                return await RegisterAsync(candidate);
            }
        }
        throw new InvalidOperationException("No device id found for the rollout case.");
    }
}

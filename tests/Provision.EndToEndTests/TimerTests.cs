using System.Net;
using Provision.EndToEndTests.Infrastructure;

namespace Provision.EndToEndTests;

[Collection(AppCollection.Name)]
public sealed class TimerTests(AppFixture app)
{
    [Fact]
    public async Task KeyPurgeTimer_AdminInvoke_Accepted202AndRunsInTheWorker()
    {
        var before = Executions();

        using var response = await app.Http.PostAsync("admin/functions/PurgeDeliveredKeys", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await AppFixture.EventuallyAsync(() => Task.FromResult(Executions() > before), "PurgeDeliveredKeys succeeded in the worker", 30);
    }

    [Fact]
    public async Task KeyPurgeTimer_InvokedThroughTheHost_SucceedsOnItsSchedule()
    {
        var timer = Assert.Single(app.Host.Functions, f => f.Is("timerTrigger"));

        var result = await app.Host.InvokeAsync(timer.Name);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("PurgeDeliveredKeys", timer.Name);
        Assert.Equal(new DateTime(2026, 1, 1, 10, 15, 0), Provision.FunctionsHost.TimerTrigger.NextOccurrence(timer["schedule"]!, new DateTime(2026, 1, 1, 10, 7, 30)));
    }

    [Fact]
    public async Task AdminInvoke_HttpFunction_400()
    {
        using var response = await app.Http.PostAsync("admin/functions/Health", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private int Executions() => app.Host.Logs.Count(e => e.Message.StartsWith("Executed 'Functions.PurgeDeliveredKeys' (Succeeded", StringComparison.Ordinal));
}

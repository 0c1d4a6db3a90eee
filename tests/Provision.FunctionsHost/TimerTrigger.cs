using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Logging;
using NCrontab;

namespace Provision.FunctionsHost;

/// <summary>A timer trigger on its NCRONTAB schedule (six fields, with seconds) or a TimeSpan interval.</summary>
internal sealed class TimerTrigger(FunctionsHost host, HostedFunction function)
{
    private readonly Func<DateTime, DateTime> next = Schedule(host.Settings.Resolve(function["schedule"] ?? throw new InvalidOperationException($"{function.Name} has no schedule.")));

    public async Task RunAsync(CancellationToken stopping)
    {
        if (bool.TryParse(function["runOnStartup"], out var runOnStartup) && runOnStartup)
        {
            await InvokeAsync(host, function, stopping);
        }
        while (!stopping.IsCancellationRequested)
        {
            var now = DateTime.Now;
            try
            {
                await Task.Delay(next(now) - now, stopping);
                await InvokeAsync(host, function, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public static Task<FunctionResult> InvokeAsync(FunctionsHost host, HostedFunction function, CancellationToken cancellationToken)
    {
        var now = DateTime.Now;
        var timerInfo = JsonSerializer.Serialize(new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = new { Last = now, Next = Schedule(host.Settings.Resolve(function["schedule"]!))(now), LastUpdated = now },
            IsPastDue = false,
        });
        return host.InvokeAsync(function, new TypedData { Json = timerInfo }, new Dictionary<string, TypedData>(), cancellationToken);
    }

    /// <summary>When a schedule next fires after <paramref name="after"/>.</summary>
    internal static DateTime NextOccurrence(string expression, DateTime after) => Schedule(expression)(after);

    private static Func<DateTime, DateTime> Schedule(string expression)
    {
        if (TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval))
        {
            return now => now + interval;
        }
        var withSeconds = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6;
        var cron = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = withSeconds });
        return cron.GetNextOccurrence;
    }
}

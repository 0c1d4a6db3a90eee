using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Provision.FunctionsHost;

// Standalone: dotnet run --project tests/Provision.FunctionsHost -- --app <build dir> --settings local.settings.json --port 7071
var arguments = new ConfigurationBuilder().AddCommandLine(args).Build();
var app = arguments["app"];
if (string.IsNullOrWhiteSpace(app))
{
    Console.Error.WriteLine("Usage: Provision.FunctionsHost --app <function app build dir> [--settings local.settings.json] [--port 7071]");
    return 2;
}

using var loggerFactory = LoggerFactory.Create(logging => logging
    .SetMinimumLevel(LogLevel.Trace)
    .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
FunctionsHost host;
try
{
    host = await FunctionsHost.StartAsync(new FunctionsHostOptions
    {
        AppDirectory = app,
        SettingsFile = arguments["settings"],
        Port = int.Parse(arguments["port"] ?? "7071", System.Globalization.CultureInfo.InvariantCulture),
        LoggerFactory = loggerFactory,
    });
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

await using (host)
{
    Console.WriteLine($"Functions host emulator: {host.Functions.Count} functions on {host.BaseAddress} (Ctrl+C stops it)");
    foreach (var function in host.Functions.OrderBy(f => f.Name))
    {
        var where = function.Is("httpTrigger")
            ? $"{string.Join(',', function.Methods)} {host.BaseAddress}{string.Join('/', new[] { host.HostJson.RoutePrefix, function["route"] ?? function.Name }.Where(p => p.Length > 0))}"
            : function.TriggerType;
        Console.WriteLine($"  {function.Name}: {where}");
    }

    var stop = new TaskCompletionSource();
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.TrySetResult(); });
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.TrySetResult(); });
    if (await Task.WhenAny(stop.Task, host.WorkerExited) != stop.Task)
    {
        Console.Error.WriteLine($"The worker process exited. Its last output:\n{host.WorkerOutput}");
        return 1;
    }
    Console.WriteLine("Stopping the worker.");
}
return 0;

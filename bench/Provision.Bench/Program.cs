using Provision.Bench;

// Measures the app through its real worker over HTTP on Azurite and the AWS emulator; see docs/performance.md.
// Usage: dotnet run -c Release --project bench/Provision.Bench -- [--devices 1000] [--requests 400] [--out bench/results.json]
var options = BenchOptions.Parse(args);
await using var run = await BenchRun.StartAsync(options);
var report = await run.MeasureAsync();
report.Print(Console.Out);
await report.WriteJsonAsync(options.Output);
Console.WriteLine($"Results written to {options.Output}");

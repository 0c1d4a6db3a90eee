using System.Globalization;
using System.Text.Json;

namespace Provision.Bench;

public sealed record Measurement(string Name, int Concurrency, int Requests, double P50Ms, double P95Ms, double P99Ms, double PerSecond)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name,-20} c={Concurrency,-3} p50 {P50Ms,7:F2} ms  p95 {P95Ms,7:F2} ms  p99 {P99Ms,7:F2} ms  {PerSecond,8:F0}/s");
}

public sealed record ProvisioningResult(
    int Devices, int Provisioned, int Failed, double Seconds, double DevicesPerSecond,
    string BindingOperation, double BindingDevicesPerSecond, double PercentOfBindingQuota,
    double CertificatesPerDevice, int DevicesWithOneActiveCertificate, int ThrottledCalls, Dictionary<string, double> CallsPerDevice,
    int[] BindingCallsPerSecond, int[] ProvisionedPerSecond);

public sealed class BenchReport(BenchOptions options, int processors, DateTimeOffset started)
{
    public string Machine { get; } = $"{Environment.MachineName}, {processors} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    public DateTimeOffset Started { get; } = started;
    public List<Measurement> Measurements { get; } = [];
    public double LogRecordsPerCheckin { get; set; }
    public double FirstRequestMs { get; set; }
    public int StsThrottledDuringHttpLoad { get; set; }
    public double WorkerRssIdleMb { get; set; }
    public double WorkerRssMb { get; set; }
    public double WorkerRssAfterProvisioningMb { get; set; }
    public ProvisioningResult? Provisioning { get; set; }

    public void Add(Measurement measurement) => Measurements.Add(measurement);

    /// <summary>A call's p50 as a multiple of floor A's p50, and its throughput as a multiple of B's, at the same concurrency.</summary>
    public IEnumerable<(Measurement Call, double P50OverA, double ThroughputOverB)> Ratios() =>
        from m in Measurements
        where !m.Name.StartsWith("A:", StringComparison.Ordinal) && !m.Name.StartsWith("B:", StringComparison.Ordinal)
        let a = Measurements.First(x => x.Name.StartsWith("A:", StringComparison.Ordinal) && x.Concurrency == m.Concurrency)
        let b = Measurements.First(x => x.Name.StartsWith("B:", StringComparison.Ordinal) && x.Concurrency == m.Concurrency)
        select (m, m.P50Ms / a.P50Ms, m.PerSecond / b.PerSecond);

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"Provision benchmark, {Started:u}, {Machine}");
        output.WriteLine("| call | c | p50 ms | p95 ms | p99 ms | req/s | p50 / A | req/s / B |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var m in Measurements)
        {
            var ratio = Ratios().FirstOrDefault(r => r.Call == m);
            var ratios = ratio.Call is null ? "| | " : string.Create(CultureInfo.InvariantCulture, $"| {ratio.P50OverA:F2}× | {ratio.ThroughputOverB:F2}× ");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {m.Name} | {m.Concurrency} | {m.P50Ms:F2} | {m.P95Ms:F2} | {m.P99Ms:F2} | {m.PerSecond:F0} {ratios}|"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"First request to the fresh worker (a check-in with an unknown token): {FirstRequestMs:F0} ms"));
        output.WriteLine($"STS calls throttled during the HTTP load (AssumeRole allows 600 a second): {StsThrottledDuringHttpLoad}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Host log records per check-in (after host.json filters): {LogRecordsPerCheckin:F2}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Worker RSS started, before any request: {WorkerRssIdleMb:F0} MB; after the HTTP load: {WorkerRssMb:F0} MB; after provisioning: {WorkerRssAfterProvisioningMb:F0} MB"));
        if (Provisioning is { } p)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Provisioning {p.Devices} devices claimed at once: {p.Provisioned} provisioned, {p.Failed} Failed in {p.Seconds:F1} s = {p.DevicesPerSecond:F2} devices/s; " +
                $"binding quota {p.BindingOperation} = {p.BindingDevicesPerSecond:F2} devices/s → {p.PercentOfBindingQuota:F1} %; " +
                $"{p.CertificatesPerDevice:F3} certificates created per device, {p.DevicesWithOneActiveCertificate} devices with exactly one active certificate; {p.ThrottledCalls} throttled calls"));
            output.WriteLine($"  {p.BindingOperation} calls per second: {string.Join(' ', p.BindingCallsPerSecond)}");
            output.WriteLine($"  devices provisioned per second: {string.Join(' ', p.ProvisionedPerSecond)}");
            output.WriteLine($"  calls per device: {string.Join(", ", p.CallsPerDevice.OrderBy(c => c.Key).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:F2}")))}");
        }
    }

    public async Task WriteJsonAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, new
        {
            Started, Machine, options.Devices, options.Requests, options.Concurrency, Measurements,
            Ratios = Ratios().Select(r => new { r.Call.Name, r.Call.Concurrency, r.P50OverA, r.ThroughputOverB }),
            LogRecordsPerCheckin, FirstRequestMs, StsThrottledDuringHttpLoad, WorkerRssIdleMb, WorkerRssMb, WorkerRssAfterProvisioningMb, Provisioning,
        }, new JsonSerializerOptions { WriteIndented = true });
    }
}

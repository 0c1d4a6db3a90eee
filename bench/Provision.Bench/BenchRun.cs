using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Amazon.Runtime;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provision.Core;
using Provision.Core.Admin;
using Provision.Core.Devices;
using Provision.Emulators.Aws;
using Provision.Tests.Infrastructure;
using FunctionsHostOptions = Provision.FunctionsHost.FunctionsHostOptions;
using WorkerHost = Provision.FunctionsHost.FunctionsHost;

namespace Provision.Bench;

/// <summary>Azurite, the AWS emulator and the real worker under the host emulator, with seeded data; measures and reports.</summary>
internal sealed class BenchRun : IAsyncDisposable
{
    private const string TablePrefix = "bench";
    private readonly BenchOptions options;
    private readonly Azurite azurite;
    private readonly AwsEmulator aws;
    private readonly WorkerHost host;
    private readonly ServiceProvider core;
    private readonly HttpClient http;

    private BenchRun(BenchOptions options, Azurite azurite, AwsEmulator aws, WorkerHost host, ServiceProvider core)
    {
        this.options = options;
        this.azurite = azurite;
        this.aws = aws;
        this.host = host;
        this.core = core;
        http = new HttpClient { BaseAddress = host.BaseAddress };
    }

    public static async Task<BenchRun> StartAsync(BenchOptions options)
    {
        var azurite = Azurite.StartPrivate();
        // Keys for every device provisioned, made before anything is measured: the emulator stays off the measured path.
        var keys = options.Devices + 64;
        var aws = await AwsEmulator.StartAsync(new AwsEmulatorOptions { KeyPoolSize = keys });
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage__TablePrefix"] = TablePrefix,
            ["Aws__Region"] = aws.Region,
            ["Aws__AccountId"] = aws.AccountId,
            ["Aws__IotEndpoint"] = aws.BaseAddress.ToString(),
            ["Aws__IotDataEndpoint"] = aws.BaseAddress.ToString(),
            ["Aws__StsEndpoint"] = aws.BaseAddress.ToString(),
            ["AWS_ACCESS_KEY_ID"] = aws.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = aws.SecretAccessKey,
            // getCreds is measured, not its per-device limit.
            ["Credentials__PermitsPerWindow"] = "100000",
        };
        var core = BuildCore(options, settings, aws);
        Console.WriteLine($"Waiting for the emulator's {keys} RSA keys (kept off the measured path)...");
        // Every key, so that no key generation runs while anything is measured.
        while (aws.KeysReady < keys)
        {
            await Task.Delay(1000);
        }
        var starting = Stopwatch.StartNew();
        var host = await WorkerHost.StartAsync(new FunctionsHostOptions
        {
            AppDirectory = Path.Combine(options.RepoRoot, "Provision.Functions", "bin", "Release", "net10.0"),
            SettingsFile = Path.Combine(options.RepoRoot, "local.settings.sample.json"),
            Settings = settings,
        });
        Console.WriteLine($"Worker started in {starting.Elapsed.TotalSeconds:F1} s");
        return new BenchRun(options, azurite, aws, host, core);
    }

    private static ServiceProvider BuildCore(BenchOptions options, Dictionary<string, string?> settings, AwsEmulator aws)
    {
        var sample = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(options.RepoRoot, "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name.Replace("__", ":"), p => (string?)p.Value.GetString());
        foreach (var (key, value) in settings)
        {
            values[key.Replace("__", ":")] = value;
        }
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<AWSCredentials>(new BasicAWSCredentials(aws.AccessKeyId, aws.SecretAccessKey));
        services.AddProvisionCore();
        return services.BuildServiceProvider();
    }

    public async Task<BenchReport> MeasureAsync()
    {
        var report = new BenchReport(options, Environment.ProcessorCount, DateTimeOffset.UtcNow);
        report.WorkerRssIdleMb = WorkerRssMb();
        if (options.Only != "provisioning")
        {
            await MeasureHttpAsync(report);
        }
        if (options.Only != "http")
        {
            report.Provisioning = await MeasureProvisioningAsync();
            report.WorkerRssAfterProvisioningMb = WorkerRssMb();
        }
        return report;
    }

    private async Task MeasureHttpAsync(BenchReport report)
    {
        // The first request a fresh worker serves pays for loading and compiling its code path.
        var cold = Stopwatch.StartNew();
        using (var first = await http.PostAsync("/provision/checkin", new StringContent("""{"id":"NOSUCHDEVICE","version":"1.0.0"}""", Encoding.UTF8, "application/json")))
        {
            report.FirstRequestMs = cold.Elapsed.TotalMilliseconds;
        }
        var devices = await SeedProvisionedAsync("benchapi", options.Concurrency);
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(TablePrefix + "Devices");

        foreach (var concurrency in new[] { 1, options.Concurrency })
        {
            var requests = concurrency == 1 ? options.Requests : options.Requests * 4;
            report.Add(await MeasureAsync("A: table point read", concurrency, requests, i => table.GetEntityAsync<TableEntity>(devices[i].Device.Id, "device")));
            report.Add(await MeasureAsync("B: read + update", concurrency, requests, async i =>
            {
                var entity = (await table.GetEntityAsync<TableEntity>(devices[i].Device.Id, "device")).Value;
                await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);
            }));
            var logsBefore = host.Logs.Count;
            report.Add(await MeasureAsync("check-in", concurrency, requests, i => PostAsync("/provision/checkin", devices[i], """{"id":"ID","version":"1.0.0","pro":true}""")));
            report.LogRecordsPerCheckin = (double)(host.Logs.Count - logsBefore) / requests;
            report.Add(await MeasureAsync("getCerts", concurrency, requests, i => PostAsync("/provision/getCerts", devices[i], """{"id":"ID"}""")));
            report.Add(await MeasureAsync("getCreds", concurrency, requests, i => PostAsync("/provision/getCreds", devices[i], """{"id":"ID"}""")));
        }
        report.WorkerRssMb = WorkerRssMb();
        report.StsThrottledDuringHttpLoad = aws.Journal.CountErrors("AssumeRole", "Throttling");
    }

    private async Task PostAsync(string path, DeviceWithToken device, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.Replace("ID", device.Device.Id), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", device.Token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>
    /// Warms up with a quarter as many calls at the same concurrency (so the worker's code is compiled at its final tier,
    /// as in a steady state), then runs <paramref name="requests"/> calls from <paramref name="concurrency"/> clients, each on its own device.
    /// </summary>
    private static async Task<Measurement> MeasureAsync(string name, int concurrency, int requests, Func<int, Task> call)
    {
        await RunAsync(concurrency, Math.Max(200, requests / 4), call, latencies: null);
        // Let the runtime finish compiling what the warm-up made hot.
        await Task.Delay(500);
        var latencies = new double[requests];
        var watch = Stopwatch.StartNew();
        await RunAsync(concurrency, requests, call, latencies);
        var elapsed = watch.Elapsed;
        Array.Sort(latencies);
        var measurement = new Measurement(name, concurrency, requests,
            Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99), requests / elapsed.TotalSeconds);
        Console.WriteLine($"  {measurement}");
        return measurement;
    }

    private static Task RunAsync(int concurrency, int requests, Func<int, Task> call, double[]? latencies)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, concurrency).Select(client => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                await call(client);
                if (latencies is not null)
                {
                    latencies[n] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
            }
        })));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>Claims <paramref name="count"/> new devices of a new product and waits until the worker has provisioned them.</summary>
    private async Task<List<DeviceWithToken>> SeedProvisionedAsync(string productId, int count)
    {
        await core.GetRequiredService<IProductAdmin>().CreateAsync(new NewProduct(productId, productId));
        var admin = core.GetRequiredService<IDeviceAdmin>();
        var devices = new List<DeviceWithToken>();
        for (var i = 0; i < count; i++)
        {
            devices.Add(await admin.CreateAsync(productId, $"{productId.ToUpperInvariant()}{i:D6}"));
        }
        await Task.WhenAll(devices.Select(d => admin.ClaimAsync(d.Device.Id, "bench-account")));
        await WaitProvisionedAsync(productId, TimeSpan.FromMinutes(2));
        await core.GetRequiredService<IReleaseAdmin>().CreateAsync(productId, new NewRelease("2.0.0", "https://updates.example.com/bench-2.0.0.bin", new string('a', 64)));
        return devices;
    }

    /// <summary>
    /// Waits until every device of <paramref name="productId"/> is Provisioned or Failed. One small query a second asks
    /// which are still under way (reading every device each second would load Azurite alongside the app being measured);
    /// the devices are read once at the end.
    /// </summary>
    private async Task<List<Device>> WaitProvisionedAsync(string productId, TimeSpan timeout)
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(TablePrefix + "Devices");
        var underWay = TableClient.CreateQueryFilter(
            $"ProductId eq {productId} and State ne {nameof(DeviceState.Provisioned)} and State ne {nameof(DeviceState.Failed)}");
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var first = await table.QueryAsync<TableEntity>(underWay, maxPerPage: 1, select: ["PartitionKey"]).AsPages().FirstAsync();
                if (first.Values.Count == 0 && first.ContinuationToken is null)
                {
                    break;
                }
            }
            catch (RequestFailedException)
            {
                // A busy machine: poll again.
            }
            await Task.Delay(1000);
        }
        var store = core.GetRequiredService<IDeviceStore>();
        var all = new List<Device>();
        string? token = null;
        do
        {
            var page = await store.ListByProductAsync(productId, 1000, token);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return all;
    }

    private async Task<ProvisioningResult> MeasureProvisioningAsync()
    {
        const string productId = "benchprov";
        await core.GetRequiredService<IProductAdmin>().CreateAsync(new NewProduct(productId, productId));
        var admin = core.GetRequiredService<IDeviceAdmin>();
        var ids = new List<string>();
        for (var i = 0; i < options.Devices; i++)
        {
            ids.Add((await admin.CreateAsync(productId, $"PROV{i:D6}")).Device.Id);
        }
        aws.Journal.Clear();
        Console.WriteLine($"  claiming {options.Devices} devices at once...");
        var started = DateTimeOffset.UtcNow;
        using (var gate = new SemaphoreSlim(32))
        {
            await Task.WhenAll(ids.Select(async id =>
            {
                await gate.WaitAsync();
                try
                {
                    await admin.ClaimAsync(id, "bench-account");
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        Console.WriteLine($"  claims sent in {(DateTimeOffset.UtcNow - started).TotalSeconds:F1} s");
        var devices = await WaitProvisionedAsync(productId, TimeSpan.FromSeconds(options.Devices / 5.0 + 120));
        var provisioned = devices.Where(d => d.State == DeviceState.Provisioned).ToList();
        var last = provisioned.Count > 0 ? provisioned.Max(d => d.Updated) : DateTimeOffset.UtcNow;
        var seconds = (last - started).TotalSeconds;
        var rate = provisioned.Count / seconds;

        var callsPerDevice = aws.Journal.Calls.Where(c => c.Succeeded).GroupBy(c => c.Operation)
            .ToDictionary(g => g.Key, g => (double)g.Count() / Math.Max(1, provisioned.Count));
        var binding = callsPerDevice
            .Where(c => AwsEmulator.DefaultQuotas.ContainsKey(c.Key) && c.Value > 0)
            .Select(c => (Operation: c.Key, DevicesPerSecond: AwsEmulator.DefaultQuotas[c.Key] / c.Value))
            .MinBy(c => c.DevicesPerSecond);
        var certificates = aws.Journal.CountSucceeded("CreateKeysAndCertificate");
        var active = ids.Select(id => aws.State.Things.TryGetValue(id, out var thing)
            ? thing.Principals.Count(p => aws.State.Certificates.Values.Any(c => c.Arn == p && c.Status == CertificateStatus.ACTIVE))
            : 0).ToList();
        // Second by second from the first claim: where the pace is lost (a ramp, stalls, a tail).
        int[] PerSecond(IEnumerable<DateTimeOffset> times)
        {
            var counts = new int[(int)Math.Ceiling(Math.Max(seconds, 0)) + 1];
            foreach (var time in times)
            {
                counts[Math.Clamp((int)(time - started).TotalSeconds, 0, counts.Length - 1)]++;
            }
            return counts;
        }
        var bindingCalls = PerSecond(aws.Journal.Calls.Where(c => c.Succeeded && c.Operation == binding.Operation).Select(c => c.Timestamp));
        var completions = PerSecond(provisioned.Select(d => d.Updated));
        return new ProvisioningResult(options.Devices, provisioned.Count, devices.Count(d => d.State == DeviceState.Failed), seconds, rate,
            binding.Operation, binding.DevicesPerSecond, 100 * rate / binding.DevicesPerSecond,
            (double)certificates / options.Devices, active.Count(a => a == 1),
            aws.Journal.Calls.Count(c => c.ErrorCode == "ThrottlingException"), callsPerDevice, bindingCalls, completions);
    }

    /// <summary>Resident memory of the worker process (a child of this process running Provision.Functions).</summary>
    private static double WorkerRssMb()
    {
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var status = File.ReadAllLines(Path.Combine(dir, "status"));
                var parent = status.FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal))?.Split(':')[1].Trim();
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (parent == self && cmdline.Contains("Provision.Functions", StringComparison.Ordinal))
                {
                    // Anonymous memory (heaps, stacks) is the worker's own; file pages are shared code that the kernel can drop.
                    Console.WriteLine("  worker memory: " + string.Join(", ", status.Where(l => l.StartsWith("Rss", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split(default(char[]), StringSplitOptions.RemoveEmptyEntries)))));
                    var rss = status.First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0];
                    return double.Parse(rss, System.Globalization.CultureInfo.InvariantCulture) / 1024;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return double.NaN;
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await host.DisposeAsync();
        await core.DisposeAsync();
        await aws.DisposeAsync();
        azurite.Stop();
    }
}

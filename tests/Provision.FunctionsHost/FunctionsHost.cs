using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Provision.FunctionsHost;

/// <summary>The outcome of one invocation as the worker reported it.</summary>
public sealed record FunctionResult(bool Succeeded, string? Error);

/// <summary>
/// A small stand-in for the Azure Functions host: it starts the app's real worker process, speaks the host↔worker
/// gRPC protocol with it, serves its HTTP functions, runs its queue triggers and timers as host.json says, and
/// stops it cleanly. No function keys or auth levels, no scale-out, no extension bundles.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    private const string HostVersion = "4.1040.0";
    private readonly WebApplication rpc;
    private readonly WorkerChannel channel;
    private readonly WorkerProcess worker;
    private readonly HostLog log;
    private readonly ConcurrentDictionary<string, string> running = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> triggers = [];
    private WebApplication? web;
    private int disposed;

    private FunctionsHost(WebApplication rpc, WorkerChannel channel, WorkerProcess worker, HostLog log, HostJson hostJson, HostSettings settings, string appDirectory)
    {
        this.rpc = rpc;
        this.channel = channel;
        this.worker = worker;
        this.log = log;
        HostJson = hostJson;
        Settings = settings;
        AppDirectory = appDirectory;
        channel.FunctionNameOf = id => running.TryGetValue(id, out var name) ? name : null;
    }

    /// <summary>Where the app's HTTP functions are served, e.g. http://127.0.0.1:7071/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public string AppDirectory { get; }
    public HostJson HostJson { get; }
    public HostSettings Settings { get; }
    public IReadOnlyList<HostedFunction> Functions { get; private set; } = [];

    /// <summary>The host's and the worker's log lines that passed host.json's filters (the newest 20,000).</summary>
    public IReadOnlyList<HostLogEntry> Logs => log.Entries;

    /// <summary>Completes if the worker process exits before the host is stopped.</summary>
    public Task WorkerExited => worker.Exited;

    /// <summary>The worker's last lines of console output.</summary>
    public string WorkerOutput => worker.Output;

    public static async Task<FunctionsHost> StartAsync(FunctionsHostOptions options, CancellationToken cancellationToken = default)
    {
        var appDirectory = Path.GetFullPath(options.AppDirectory);
        if (!Directory.Exists(appDirectory))
        {
            throw new InvalidOperationException($"The function app folder {appDirectory} does not exist: build the app first.");
        }
        var settings = new HostSettings(options.SettingsFile is null ? null : Path.GetFullPath(options.SettingsFile), options.Settings);
        var hostJson = HostJson.Load(appDirectory, settings);
        var log = new HostLog(hostJson, options.LoggerFactory);
        var channel = new WorkerChannel(log);
        var rpc = await StartRpcServerAsync(channel, cancellationToken);
        var rpcUri = new Uri(rpc.Urls.First());
        WorkerProcess worker;
        try
        {
            worker = WorkerProcess.Start(appDirectory, rpcUri, Guid.NewGuid().ToString(), settings);
        }
        catch
        {
            await rpc.DisposeAsync();
            throw;
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => worker.Kill();

        var host = new FunctionsHost(rpc, channel, worker, log, hostJson, settings, appDirectory);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StartTimeout);
            var workerUri = await host.InitializeAsync(timeout.Token);
            await host.StartWebAsync(options.Port, workerUri, cancellationToken);
            host.StartTriggers();
            log.Write("Host", LogLevel.Information, $"Host started: {host.Functions.Count} functions, HTTP on {host.BaseAddress}");
            return host;
        }
        catch (Exception e)
        {
            var output = worker.Output;
            await host.DisposeAsync();
            throw new InvalidOperationException($"The function app in {appDirectory} did not start: {e.Message}\nWorker output:\n{output}", e);
        }
    }

    /// <summary>Runs a non-HTTP function now, as <c>POST /admin/functions/{name}</c> does, and waits for its outcome.</summary>
    public Task<FunctionResult> InvokeAsync(string functionName, string? input = null, CancellationToken cancellationToken = default)
    {
        var function = Functions.FirstOrDefault(f => f.Name.Equals(functionName, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"No function named {functionName}.", nameof(functionName));
        return function switch
        {
            _ when function.Is("timerTrigger") => TimerTrigger.InvokeAsync(this, function, cancellationToken),
            _ when function.Is("queueTrigger") => InvokeAsync(function, new TypedData { String = input ?? "" }, new Dictionary<string, TypedData>(), cancellationToken),
            _ => throw new ArgumentException($"{functionName} is triggered by {function.TriggerType}: call it over HTTP.", nameof(functionName)),
        };
    }

    /// <summary>Sends one invocation to the worker, within host.json's <c>functionTimeout</c>, and logs its outcome.</summary>
    internal async Task<FunctionResult> InvokeAsync(HostedFunction function, TypedData trigger, IDictionary<string, TypedData> triggerMetadata, CancellationToken cancellationToken, string? invocationId = null)
    {
        invocationId ??= Guid.NewGuid().ToString();
        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext { TraceParent = Activity.Current?.Id ?? NewTraceParent(), TraceState = "" },
        };
        request.InputData.Add(new ParameterBinding { Name = function.TriggerParameter, Data = trigger });
        request.TriggerMetadata.Add(triggerMetadata);

        var category = $"Function.{function.Name}";
        running[invocationId] = function.Name;
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping.Token);
        timeout.CancelAfter(HostJson.FunctionTimeout);
        FunctionResult result;
        try
        {
            var answer = await channel.RequestAsync(new StreamingMessage { InvocationRequest = request }, timeout.Token);
            var status = answer.InvocationResponse.Result;
            result = status.Status == StatusResult.Types.Status.Success
                ? new FunctionResult(true, null)
                : new FunctionResult(false, status.Exception is { } e ? $"{e.Type}: {e.Message}\n{e.StackTrace}" : status.Result);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            TrySend(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocationId } });
            result = new FunctionResult(false, $"Timeout value of {HostJson.FunctionTimeout} was exceeded by function: Functions.{function.Name}");
        }
        catch (OperationCanceledException)
        {
            TrySend(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocationId } });
            throw;
        }
        catch (InvalidOperationException e)
        {
            result = new FunctionResult(false, e.Message);
        }
        finally
        {
            running.TryRemove(invocationId, out _);
        }

        if (result.Succeeded)
        {
            log.Write(category, LogLevel.Information, $"Executed 'Functions.{function.Name}' (Succeeded, Id={invocationId}, Duration={watch.ElapsedMilliseconds}ms)");
        }
        else
        {
            log.Write(category, LogLevel.Error, $"Executed 'Functions.{function.Name}' (Failed, Id={invocationId}, Duration={watch.ElapsedMilliseconds}ms): {result.Error}");
        }
        return result;
    }

    internal void Write(string category, LogLevel level, string message) => log.Write(category, level, message);

    internal CancellationToken Stopping => stopping.Token;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }
        await stopping.CancelAsync();
        if (web is not null)
        {
            await web.StopAsync();
        }
        await Task.WhenAll(triggers).ContinueWith(_ => { }, TaskScheduler.Default);
        TrySend(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } });
        await worker.StopAsync(TimeSpan.FromSeconds(6));
        worker.Dispose();
        if (web is not null)
        {
            await web.DisposeAsync();
        }
        await rpc.StopAsync();
        await rpc.DisposeAsync();
        stopping.Dispose();
    }

    private static async Task<WebApplication> StartRpcServerAsync(WorkerChannel channel, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddRouting();
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = null;
            o.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(channel);
        var app = builder.Build();
        app.MapGrpcService<WorkerChannel>();
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>The handshake: the worker connects, is initialised, indexes its functions, and loads each.</summary>
    private async Task<Uri> InitializeAsync(CancellationToken cancellationToken)
    {
        await WhileWorkerRuns(channel.Connected, "connect", cancellationToken);

        var init = new WorkerInitRequest { HostVersion = HostVersion, WorkerDirectory = AppDirectory, FunctionAppDirectory = AppDirectory };
        init.Capabilities.Add("HandlesWorkerTerminateMessage", "true");
        init.Capabilities.Add("HandlesInvocationCancelMessage", "true");
        var initResponse = (await Ask(new StreamingMessage { WorkerInitRequest = init }, "initialise", cancellationToken)).WorkerInitResponse;
        Check(initResponse.Result, "initialise");
        if (!initResponse.Capabilities.TryGetValue("HttpUri", out var httpUri))
        {
            throw new InvalidOperationException("The worker offers no HttpUri: this host serves HTTP only through the ASP.NET Core integration (ConfigureFunctionsWebApplication).");
        }

        var metadata = (await Ask(new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = AppDirectory } }, "index its functions", cancellationToken)).FunctionMetadataResponse;
        Check(metadata.Result, "index its functions");
        if (metadata.UseDefaultMetadataIndexing)
        {
            throw new InvalidOperationException("The worker asked for host-side indexing, which this host does not do.");
        }

        var functions = new List<HostedFunction>();
        foreach (var function in metadata.FunctionMetadataResults)
        {
            var load = (await Ask(new StreamingMessage { FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function } }, $"load {function.Name}", cancellationToken)).FunctionLoadResponse;
            Check(load.Result, $"load {function.Name}");
            functions.Add(new HostedFunction(function));
        }
        Functions = functions;
        var uri = new UriBuilder(httpUri) { Host = "127.0.0.1" }.Uri;
        return uri;
    }

    private Task<StreamingMessage> Ask(StreamingMessage request, string step, CancellationToken cancellationToken) =>
        WhileWorkerRuns(channel.RequestAsync(request, cancellationToken), step, cancellationToken);

    private async Task<T> WhileWorkerRuns<T>(Task<T> task, string step, CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(task, worker.Exited, Task.Delay(Timeout.Infinite, cancellationToken));
        if (first == task)
        {
            return await task;
        }
        if (first == worker.Exited)
        {
            throw new InvalidOperationException($"The worker process exited (code {worker.ExitCode}) before it could {step}.");
        }
        throw new TimeoutException($"The worker did not {step} in time.");
    }

    private static void Check(StatusResult result, string step)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker could not {step}: {result.Exception?.Message ?? result.Result}");
        }
    }

    private async Task StartWebAsync(int port, Uri workerUri, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 100 * 1024 * 1024;
            if (port == 0)
            {
                k.Listen(IPAddress.Loopback, 0);
            }
            else
            {
                k.ListenLocalhost(port);
            }
        });
        builder.Services.AddRouting();
        var app = builder.Build();
        var forwarder = new HttpForwarder(this, workerUri);
        var prefix = HostJson.RoutePrefix.Trim('/');
        foreach (var function in Functions.Where(f => f.Is("httpTrigger")))
        {
            var route = string.Join('/', new[] { prefix, (function["route"] ?? function.Name).Trim('/') }.Where(p => p.Length > 0));
            var endpoint = function.Methods.Count == 0
                ? app.Map(route, context => forwarder.ForwardAsync(context, function))
                : app.MapMethods(route, function.Methods, context => forwarder.ForwardAsync(context, function));
            endpoint.WithDisplayName(function.Name);
        }
        app.MapPost("admin/functions/{name}", (Delegate)InvokeOnDemand);
        await app.StartAsync(cancellationToken);
        web = app;
        var bound = new Uri(app.Urls.First());
        BaseAddress = new Uri($"http://127.0.0.1:{bound.Port}/");
    }

    /// <summary><c>POST /admin/functions/{name}</c> with <c>{"input": …}</c>: 202 and the function runs, as on the real host.</summary>
    private async Task<IResult> InvokeOnDemand(HttpContext context)
    {
        var name = (string)context.Request.RouteValues["name"]!;
        var function = Functions.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (function is null)
        {
            return Results.NotFound();
        }
        if (function.Is("httpTrigger"))
        {
            return Results.BadRequest(new { error = $"{function.Name} is an HTTP function: call its route." });
        }
        string? input = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                using var body = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                input = body.RootElement.TryGetProperty("input", out var value) ? value.GetString() : null;
            }
            catch (System.Text.Json.JsonException)
            {
                return Results.BadRequest(new { error = "The body must be JSON: {\"input\": \"...\"}." });
            }
        }
        _ = Task.Run(() => InvokeAsync(function.Name, input, stopping.Token));
        return Results.Accepted();
    }

    private void StartTriggers()
    {
        foreach (var function in Functions)
        {
            if (function.Is("queueTrigger"))
            {
                triggers.Add(Task.Run(() => new QueueTrigger(this, function).RunAsync(stopping.Token)));
            }
            else if (function.Is("timerTrigger"))
            {
                triggers.Add(Task.Run(() => new TimerTrigger(this, function).RunAsync(stopping.Token)));
            }
        }
    }

    private void TrySend(StreamingMessage message)
    {
        try
        {
            channel.Send(message);
        }
        catch (InvalidOperationException)
        {
            // The worker is gone already.
        }
    }

    private static string NewTraceParent() => $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00";
}

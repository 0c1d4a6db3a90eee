using System.Diagnostics;
using System.Text.Json;

namespace Provision.FunctionsHost;

/// <summary>The function app's own worker process, started as worker.config.json describes it.</summary>
public sealed class WorkerProcess : IDisposable
{
    private const int KeptLines = 200;
    private readonly Process process;
    private readonly Queue<string> output = new();

    private WorkerProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Exited = process.WaitForExitAsync();
    }

    /// <summary>Completes when the process exits.</summary>
    public Task Exited { get; }

    public int? ExitCode => process.HasExited ? process.ExitCode : null;

    /// <summary>The worker's last lines of console output, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }

    public static WorkerProcess Start(string appDirectory, Uri hostUri, string workerId, HostSettings settings)
    {
        var (executable, workerPath) = Describe(appDirectory);
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            workerPath,
            "--functions-uri", hostUri.ToString(),
            "--functions-worker-id", workerId,
            "--functions-request-id", Guid.NewGuid().ToString(),
            "--functions-grpc-max-message-length", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in settings.AppValues)
        {
            start.Environment[key] = value;
        }
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["AzureWebJobsScriptRoot"] = appDirectory;
        return new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable} {workerPath}."));
    }

    /// <summary>Waits for the worker to exit after it was asked to, then ends it if it did not.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            Kill();
        }
    }

    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    private static (string Executable, string WorkerPath) Describe(string appDirectory)
    {
        var config = Path.Combine(appDirectory, "worker.config.json");
        if (!File.Exists(config))
        {
            throw new InvalidOperationException($"{appDirectory} holds no worker.config.json: give the build output folder of an isolated worker function app.");
        }
        using var json = JsonDocument.Parse(File.ReadAllText(config));
        var description = json.RootElement.GetProperty("description");
        var executable = description.GetProperty("defaultExecutablePath").GetString()!;
        var workerPath = Path.Combine(appDirectory, description.GetProperty("defaultWorkerPath").GetString()!);
        return (executable, workerPath);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.Enqueue(line);
            if (output.Count > KeptLines)
            {
                output.Dequeue();
            }
        }
    }
}

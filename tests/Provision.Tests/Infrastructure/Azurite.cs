using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Provision.Tests.Infrastructure;

/// <summary>
/// Real Azurite for the integration tests: one in-memory instance per test run, on free loopback ports,
/// started on first use unless <c>PROVISION_TEST_STORAGE</c> names a running one.
/// </summary>
public sealed class Azurite
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly Lazy<Azurite> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private Azurite(string connectionString, int tablePort)
    {
        ConnectionString = connectionString;
        TablePort = tablePort;
    }

    public static Azurite Instance => Shared.Value;

    public string ConnectionString { get; }
    public int TablePort { get; }

    /// <summary>A connection string to an account nobody listens on: storage "down".</summary>
    public static string UnreachableConnectionString()
    {
        var port = FreePort();
        return ConnectionStringFor(port, port, port);
    }

    private static Azurite Start()
    {
        var existing = Environment.GetEnvironmentVariable("PROVISION_TEST_STORAGE");
        return string.IsNullOrWhiteSpace(existing) ? StartPrivate() : new Azurite(existing, 0);
    }

    /// <summary>An Azurite of the caller's own, which it may freeze, thaw, stop and restart (storage faults).</summary>
    public static Azurite StartPrivate()
    {
        var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
        return new Azurite(ConnectionStringFor(blob, queue, table), table) { ports = (blob, queue, table), process = Launch(blob, queue, table) };
    }

    private (int Blob, int Queue, int Table) ports;
    private Process? process;

    /// <summary>Suspends the process (SIGSTOP): connections are accepted, nothing is answered.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>Resumes a frozen process (SIGCONT).</summary>
    public void Thaw() => Signal("CONT");

    /// <summary>Ends the process: nothing listens any more.</summary>
    public void Stop()
    {
        if (process is not null)
        {
            Stop(process);
            process.WaitForExit();
        }
    }

    /// <summary>Starts it again, empty, on the same ports.</summary>
    public void Restart()
    {
        Stop();
        process = Launch(ports.Blob, ports.Queue, ports.Table);
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", $"{process?.Id ?? throw new InvalidOperationException("Not a private Azurite.")}"]);
        kill.WaitForExit();
    }

    private static Process Launch(int blob, int queue, int table)
    {
        var script = Path.Combine(RepoPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed ({script} is missing). Run `npm ci` in {RepoPaths.Root}, or run the tests with ./scripts/test.sh.");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            script, "--silent", "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", $"{blob}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{table}",
        })
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new InvalidOperationException("Could not start Azurite: is Node.js installed and on PATH? Then run `npm ci`.", e);
        }
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(Listening(blob) && Listening(queue) && Listening(table)))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                Stop(process);
                lock (output)
                {
                    throw new InvalidOperationException($"Azurite did not start (exit: {(process.HasExited ? process.ExitCode : "timeout")}). Run `npm ci` and retry. Output:\n{output}");
                }
            }
            Thread.Sleep(100);
        }
        return process;
    }

    private static string ConnectionStringFor(int blob, int queue, int table) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    private static void Stop(Process process)
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

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Collections.Concurrent;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Logging;

namespace Provision.FunctionsHost;

/// <summary>One log line the host kept: what passed host.json's <c>logging.logLevel</c> filters.</summary>
public sealed record HostLogEntry(DateTimeOffset Time, string Category, LogLevel Level, string Message, string? Exception);

/// <summary>
/// The host's log: its own lines and the worker's, filtered by host.json as the real host does (a function's
/// own logs under <c>Function.{name}.User</c>), written to a logger and kept (the newest 20,000) for tests.
/// </summary>
public sealed class HostLog(HostJson hostJson, ILoggerFactory? loggerFactory)
{
    private const int Kept = 20_000;
    private readonly ConcurrentQueue<HostLogEntry> entries = new();

    public IReadOnlyList<HostLogEntry> Entries => entries.ToArray();

    public void Write(string category, LogLevel level, string message, Exception? exception = null) =>
        Write(category, level, message, exception?.ToString());

    public void Worker(RpcLog rpcLog, string? functionName)
    {
        var category = rpcLog.LogCategory == RpcLog.Types.RpcLogCategory.User && functionName is not null
            ? $"Function.{functionName}.User"
            : rpcLog.Category is { Length: > 0 } named ? named : "Worker";
        var exception = rpcLog.Exception is { } e ? $"{e.Type}: {e.Message}\n{e.StackTrace}" : null;
        Write(category, (LogLevel)(int)rpcLog.Level, rpcLog.Message, exception);
    }

    private void Write(string category, LogLevel level, string message, string? exception)
    {
        if (level < hostJson.MinimumLevel(category) || level == LogLevel.None)
        {
            return;
        }
        entries.Enqueue(new HostLogEntry(DateTimeOffset.UtcNow, category, level, message, exception));
        while (entries.Count > Kept && entries.TryDequeue(out _))
        {
        }
#pragma warning disable CA2254 // The worker's message is already formatted.
        loggerFactory?.CreateLogger(category).Log(level, exception is null ? message : $"{message}\n{exception}");
#pragma warning restore CA2254
    }
}

using Microsoft.Extensions.Logging;

namespace Provision.FunctionsHost;

public sealed class FunctionsHostOptions
{
    /// <summary>The function app's build or publish output folder (holds worker.config.json and host.json).</summary>
    public required string AppDirectory { get; init; }

    /// <summary>A local.settings.json whose <c>Values</c> become the app settings; optional.</summary>
    public string? SettingsFile { get; init; }

    /// <summary>Settings that replace (or, when null, remove) those of the file.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>The HTTP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>How long the worker may take to connect, index and load its functions.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Where the host's and the worker's log lines go besides <see cref="FunctionsHost.Logs"/>; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}

using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Provision.FunctionsHost;

/// <summary>The parts of host.json this host honours, with the real host's defaults.</summary>
public sealed record HostJson
{
    public string RoutePrefix { get; init; } = "api";
    public TimeSpan FunctionTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public QueueSettings Queues { get; init; } = new();
    public IReadOnlyDictionary<string, LogLevel> LogLevels { get; init; } = new Dictionary<string, LogLevel>(StringComparer.OrdinalIgnoreCase);

    public sealed record QueueSettings
    {
        public int BatchSize { get; init; } = 16;
        public int NewBatchThreshold { get; init; } = 8;
        public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
        public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;
        public int MaxDequeueCount { get; init; } = 5;
        public bool Base64 { get; init; } = true;
    }

    public static HostJson Load(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
        {
            return new HostJson();
        }
        using var json = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = json.RootElement;
        var result = new HostJson();
        if (Find(root, "functionTimeout") is { ValueKind: JsonValueKind.String } timeout)
        {
            result = result with { FunctionTimeout = TimeSpan.Parse(timeout.GetString()!, System.Globalization.CultureInfo.InvariantCulture) };
        }
        if (Find(root, "extensions", "http", "routePrefix") is { ValueKind: JsonValueKind.String } prefix)
        {
            result = result with { RoutePrefix = prefix.GetString()! };
        }
        if (Find(root, "extensions", "queues") is { ValueKind: JsonValueKind.Object } queues)
        {
            var defaults = new QueueSettings();
            var batchSize = Int(queues, "batchSize") ?? defaults.BatchSize;
            result = result with
            {
                Queues = new QueueSettings
                {
                    BatchSize = batchSize,
                    NewBatchThreshold = Int(queues, "newBatchThreshold") ?? batchSize / 2,
                    MaxPollingInterval = Time(queues, "maxPollingInterval") ?? defaults.MaxPollingInterval,
                    VisibilityTimeout = Time(queues, "visibilityTimeout") ?? defaults.VisibilityTimeout,
                    MaxDequeueCount = Int(queues, "maxDequeueCount") ?? defaults.MaxDequeueCount,
                    Base64 = !string.Equals(Find(queues, "messageEncoding")?.GetString(), "none", StringComparison.OrdinalIgnoreCase),
                },
            };
        }
        if (Find(root, "logging", "logLevel") is { ValueKind: JsonValueKind.Object } levels)
        {
            result = result with
            {
                LogLevels = levels.EnumerateObject().ToDictionary(
                    p => p.Name, p => Enum.Parse<LogLevel>(p.Value.GetString()!, ignoreCase: true), StringComparer.OrdinalIgnoreCase),
            };
        }
        return result;
    }

    /// <summary>The level a category logs at: the longest matching <c>logging.logLevel</c> prefix, else <c>default</c>.</summary>
    public LogLevel MinimumLevel(string category)
    {
        var match = LogLevels.Keys
            .Where(key => !key.Equals("default", StringComparison.OrdinalIgnoreCase) && category.StartsWith(key, StringComparison.OrdinalIgnoreCase))
            .MaxBy(key => key.Length);
        return match is not null ? LogLevels[match]
            : LogLevels.TryGetValue("default", out var fallback) ? fallback
            : LogLevel.Information;
    }

    private static JsonElement? Find(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var property = element.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (property.Value.ValueKind == JsonValueKind.Undefined)
            {
                return null;
            }
            element = property.Value;
        }
        return element;
    }

    private static int? Int(JsonElement element, string name) => Find(element, name)?.GetInt32();

    private static TimeSpan? Time(JsonElement element, string name) =>
        Find(element, name) is { ValueKind: JsonValueKind.String } value ? TimeSpan.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : null;
}

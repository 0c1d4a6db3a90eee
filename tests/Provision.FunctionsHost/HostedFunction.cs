using System.Text.Json;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace Provision.FunctionsHost;

/// <summary>A function the worker indexed and loaded, with its trigger binding.</summary>
public sealed class HostedFunction
{
    public HostedFunction(RpcFunctionMetadata metadata)
    {
        Metadata = metadata;
        foreach (var raw in metadata.RawBindings)
        {
            using var binding = JsonDocument.Parse(raw);
            var type = Property(binding.RootElement, "type") ?? "";
            if (type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                TriggerType = type;
                TriggerParameter = Property(binding.RootElement, "name") ?? "";
                Trigger = binding.RootElement.Clone();
            }
        }
        if (Trigger.ValueKind == JsonValueKind.Undefined)
        {
            throw new InvalidOperationException($"The function {metadata.Name} has no trigger binding.");
        }
    }

    public RpcFunctionMetadata Metadata { get; }
    public string Name => Metadata.Name;
    public string FunctionId => Metadata.FunctionId;
    public string TriggerType { get; } = "";
    public string TriggerParameter { get; } = "";
    public JsonElement Trigger { get; }

    public bool Is(string triggerType) => TriggerType.Equals(triggerType, StringComparison.OrdinalIgnoreCase);

    /// <summary>A property of the trigger binding, e.g. <c>route</c>, <c>queueName</c>, <c>schedule</c>.</summary>
    public string? this[string name] => Property(Trigger, name);

    public IReadOnlyList<string> Methods =>
        Trigger.EnumerateObject().FirstOrDefault(p => p.Name.Equals("methods", StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.Array } methods
            ? methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToArray()
            : [];

    private static string? Property(JsonElement element, string name)
    {
        var value = element.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }
}

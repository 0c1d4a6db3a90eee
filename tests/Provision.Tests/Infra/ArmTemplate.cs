using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Provision.Tests.Infra;

/// <summary>A compiled ARM template, with its nested module deployments flattened for inspection.</summary>
internal sealed partial class ArmTemplate(JsonObject root)
{
    public JsonObject Root { get; } = root;

    public IEnumerable<ArmScope> Scopes()
    {
        var pending = new Stack<ArmScope>();
        pending.Push(new ArmScope(Root, passedParameters: null, parent: null));
        while (pending.TryPop(out var scope))
        {
            yield return scope;
            foreach (var resource in scope.Resources().Where(r => r.Type == "Microsoft.Resources/deployments"))
            {
                var properties = resource.Node["properties"]!.AsObject();
                pending.Push(new ArmScope(properties["template"]!.AsObject(), properties["parameters"]?.AsObject(), scope));
            }
        }
    }

    public IReadOnlyList<ArmResource> ResourcesOfType(string type) =>
        Scopes().SelectMany(scope => scope.Resources())
            .Where(resource => resource.Type.Equals(type, StringComparison.OrdinalIgnoreCase))
            .ToList();

    public ArmResource Single(string type)
    {
        var matches = ResourcesOfType(type);
        Assert.True(matches.Count == 1, $"Expected one {type}, found {matches.Count}.");
        return matches[0];
    }

    [GeneratedRegex(@"^\[parameters\('(?<name>[^']+)'\)\]$")]
    internal static partial Regex ParameterExpression();
}

/// <summary>One template (the root or a module) and the parameter values its deployment passes in.</summary>
internal sealed class ArmScope(JsonObject template, JsonObject? passedParameters, ArmScope? parent)
{
    public JsonObject Template { get; } = template;

    public ArmScope? Parent { get; } = parent;

    public IEnumerable<ArmResource> Resources()
    {
        var resources = Template["resources"] switch
        {
            JsonArray array => array.AsEnumerable(),
            JsonObject symbolic => symbolic.Select(pair => pair.Value),
            _ => [],
        };
        return resources
            .OfType<JsonObject>()
            .Where(resource => resource["existing"]?.GetValue<bool>() != true)
            .Select(resource => new ArmResource(resource, this));
    }

    /// <summary>Follows a whole-value <c>[parameters('x')]</c> through enclosing deployments and defaults.</summary>
    public ArmValue Resolve(JsonNode? node)
    {
        if (node is not JsonValue value || !value.TryGetValue<string>(out var expression))
        {
            return new ArmValue(node, this);
        }

        var match = ArmTemplate.ParameterExpression().Match(expression);
        if (!match.Success)
        {
            return new ArmValue(node, this);
        }

        var name = match.Groups["name"].Value;
        if (passedParameters?[name] is JsonObject passed && passed.ContainsKey("value") && Parent is not null)
        {
            return Parent.Resolve(passed["value"]);
        }

        return Resolve(Template["parameters"]?[name]?["defaultValue"]);
    }

    public override string ToString() => $"template with {Template["parameters"]?.AsObject().Count ?? 0} parameters";
}

/// <summary>A value with the scope its expressions belong to.</summary>
internal sealed record ArmValue(JsonNode? Node, ArmScope Scope)
{
    public string Text => Node?.GetValue<string>() ?? "";

    public bool Bool => Node!.GetValue<bool>();

    public ArmValue this[string name] => Scope.Resolve(Scope.Resolve(Node).Node?[name]);

    public IReadOnlyDictionary<string, ArmValue> Properties() =>
        Node!.AsObject().ToDictionary(pair => pair.Key, pair => Scope.Resolve(pair.Value));

    public override string ToString() => Node?.ToJsonString() ?? "null";
}

internal sealed class ArmResource(JsonObject node, ArmScope scope)
{
    public JsonObject Node { get; } = node;

    public ArmScope Scope { get; } = scope;

    public string Type => Node["type"]!.GetValue<string>();

    /// <summary>The value at a dotted path from the resource (e.g. <c>properties.httpsOnly</c>), parameters resolved.</summary>
    public ArmValue Value(string path) =>
        path.Split('.').Aggregate(new ArmValue(Node, Scope), (current, segment) => current[segment]);

    public override string ToString() => $"{Type} {Node["name"]}";
}

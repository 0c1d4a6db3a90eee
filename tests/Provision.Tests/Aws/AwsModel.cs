using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Provision.Tests.Aws;

/// <summary>An official AWS service model (TestData/aws-models) and checks of wire messages against it.</summary>
public sealed class AwsModel
{
    private readonly JsonElement root;

    private AwsModel(JsonElement root) => this.root = root;

    public static AwsModel Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "aws-models", file);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return new AwsModel(document.RootElement.Clone());
    }

    public static AwsModel Iot { get; } = Load("iot-2015-05-28.subset.json");

    public static AwsModel IotData { get; } = Load("iot-data-2015-05-28.subset.json");

    public static AwsModel Sts { get; } = Load("sts-2011-06-15.subset.json");

    public JsonElement Operation(string name) => root.GetProperty("operations").GetProperty(name);

    public JsonElement Shape(string name) => root.GetProperty("shapes").GetProperty(name);

    public IEnumerable<string> OperationNames => root.GetProperty("operations").EnumerateObject().Select(o => o.Name);

    /// <summary>Operations whose HTTP method and URI template match the request.</summary>
    public IReadOnlyList<string> OperationsFor(string method, string rawPath) =>
        [.. root.GetProperty("operations").EnumerateObject()
            .Where(o => o.Value.GetProperty("http").GetProperty("method").GetString() == method
                && Template(o.Value.GetProperty("http").GetProperty("requestUri").GetString()!).IsMatch(rawPath))
            .Select(o => o.Name)];

    /// <summary>Members of a structure: name → (location or "body", wire name, shape).</summary>
    public IReadOnlyDictionary<string, (string Location, string WireName, string Shape)> Members(string shape)
    {
        var members = new Dictionary<string, (string, string, string)>();
        if (!Shape(shape).TryGetProperty("members", out var list))
        {
            return members;
        }

        foreach (var member in list.EnumerateObject())
        {
            var location = member.Value.TryGetProperty("location", out var l) ? l.GetString()! : "body";
            var wire = member.Value.TryGetProperty("locationName", out var w) ? w.GetString()! : member.Name;
            members[member.Name] = (location, wire, member.Value.GetProperty("shape").GetString()!);
        }

        return members;
    }

    public IReadOnlyList<string> Required(string shape) =>
        Shape(shape).TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(r => r.GetString()!)] : [];

    public string? InputShape(string operation) =>
        Operation(operation).TryGetProperty("input", out var input) ? input.GetProperty("shape").GetString() : null;

    public string? OutputShape(string operation) =>
        Operation(operation).TryGetProperty("output", out var output) ? output.GetProperty("shape").GetString() : null;

    public IReadOnlyList<string> Errors(string operation) =>
        Operation(operation).TryGetProperty("errors", out var errors) ? [.. errors.EnumerateArray().Select(e => e.GetProperty("shape").GetString()!)] : [];

    public int? ErrorStatus(string errorShape) =>
        root.GetProperty("shapes").TryGetProperty(errorShape, out var shape) && shape.TryGetProperty("error", out var error)
            ? error.GetProperty("httpStatusCode").GetInt32()
            : null;

    /// <summary>Wire code of an error shape (query-protocol errors may carry their own code).</summary>
    public string ErrorCode(string errorShape) =>
        Shape(errorShape).TryGetProperty("error", out var error) && error.TryGetProperty("code", out var code) ? code.GetString()! : errorShape;

    /// <summary>Describes every way a JSON value departs from the shape (REST-JSON rules).</summary>
    public IEnumerable<string> CheckJson(JsonElement value, string shape, string path)
    {
        var definition = Shape(shape);
        var type = definition.GetProperty("type").GetString();
        switch (type)
        {
            case "structure":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    yield return $"{path}: expected object for {shape}";
                    yield break;
                }

                var members = Members(shape).Where(m => m.Value.Location == "body").ToDictionary(m => m.Value.WireName, m => m.Value.Shape);
                foreach (var property in value.EnumerateObject())
                {
                    if (!members.TryGetValue(property.Name, out var memberShape))
                    {
                        yield return $"{path}.{property.Name}: not a member of {shape}";
                        continue;
                    }

                    foreach (var problem in CheckJson(property.Value, memberShape, $"{path}.{property.Name}"))
                    {
                        yield return problem;
                    }
                }

                break;
            case "list":
                if (value.ValueKind != JsonValueKind.Array)
                {
                    yield return $"{path}: expected array for {shape}";
                    yield break;
                }

                var item = definition.GetProperty("member").GetProperty("shape").GetString()!;
                foreach (var problem in value.EnumerateArray().SelectMany((v, i) => CheckJson(v, item, $"{path}[{i}]")))
                {
                    yield return problem;
                }

                break;
            case "map":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    yield return $"{path}: expected object for map {shape}";
                    yield break;
                }

                var valueShape = definition.GetProperty("value").GetProperty("shape").GetString()!;
                foreach (var problem in value.EnumerateObject().SelectMany(p => CheckJson(p.Value, valueShape, $"{path}.{p.Name}")))
                {
                    yield return problem;
                }

                break;
            case "string" or "blob":
                if (value.ValueKind != JsonValueKind.String)
                {
                    yield return $"{path}: expected string for {shape}";
                }
                else if (definition.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.GetString() == value.GetString()))
                {
                    yield return $"{path}: '{value.GetString()}' is not a value of {shape}";
                }

                break;
            case "integer" or "long" or "timestamp" or "double" or "float":
                if (value.ValueKind != JsonValueKind.Number)
                {
                    yield return $"{path}: expected number for {shape}";
                }

                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    yield return $"{path}: expected boolean for {shape}";
                }

                break;
            default:
                yield return $"{path}: unknown shape type {type}";
                break;
        }
    }

    /// <summary>Describes every way an XML element departs from the shape (query-protocol rules).</summary>
    public IEnumerable<string> CheckXml(XElement element, string shape, string path)
    {
        var definition = Shape(shape);
        if (definition.GetProperty("type").GetString() != "structure")
        {
            if (element.HasElements)
            {
                yield return $"{path}: expected a value for {shape}";
            }

            yield break;
        }

        var members = Members(shape);
        foreach (var child in element.Elements())
        {
            var name = child.Name.LocalName;
            if (!members.TryGetValue(name, out var member))
            {
                yield return $"{path}.{name}: not a member of {shape}";
                continue;
            }

            foreach (var problem in CheckXml(child, member.Shape, $"{path}.{name}"))
            {
                yield return problem;
            }
        }

        foreach (var required in Required(shape).Where(r => element.Element(element.Name.Namespace + r) is null))
        {
            yield return $"{path}.{required}: required member missing";
        }
    }

    private static Regex Template(string requestUri)
    {
        var path = requestUri.Split('?')[0];
        var pattern = Regex.Replace(Regex.Escape(path).Replace(@"\{", "{"), @"\{(\w+)(\+?)\}", m => m.Groups[2].Value == "+" ? ".+" : "[^/]+");
        return new Regex("^" + pattern + "$");
    }
}

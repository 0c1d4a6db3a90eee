using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Provision.Emulators.Aws;

public enum PolicyDecision
{
    Allow,
    ImplicitDeny,
    ExplicitDeny,
}

/// <summary>What AWS IoT knows about a connection when it evaluates its policies.</summary>
/// <param name="ClientId">The MQTT client id.</param>
/// <param name="Thing">The thing attached to the connection's certificate whose name is the client id; null when there is none.</param>
public sealed record IotConnection(string ClientId, EmulatedThing? Thing);

/// <summary>The MQTT actions AWS IoT authorizes, with the resource type each is checked against.</summary>
public enum MqttAction
{
    /// <summary>iot:Connect on client/{client id}.</summary>
    Connect,

    /// <summary>iot:Publish on topic/{topic name}.</summary>
    Publish,

    /// <summary>iot:Subscribe on topicfilter/{topic filter}.</summary>
    Subscribe,

    /// <summary>iot:Receive on topic/{topic name} of each message delivered.</summary>
    Receive,
}

/// <summary>
/// AWS IoT Core policy evaluation as AWS documents it: a request is allowed when some statement allows it and none denies it
/// (an explicit Deny always wins; no match is an implicit deny). Resources use IAM wildcards: '*' matches any characters,
/// '/' included, and '?' exactly one; MQTT's '+' and '#' are plain characters. Policy variables (${iot:ClientId},
/// ${iot:Connection.Thing.ThingName}, ${iot:Connection.Thing.ThingTypeName}, ${iot:Connection.Thing.Attributes[name]})
/// are replaced by their values, which match literally; a variable without a value (no attached thing named as the client,
/// a missing attribute) makes its resource match nothing. ${*}, ${?} and ${$} stand for the literal characters.
/// Statements with Condition, NotAction, NotResource or NotPrincipal are refused rather than guessed at.
/// </summary>
public static partial class IotPolicyEvaluator
{
    public static PolicyDecision Evaluate(IEnumerable<string> policyDocuments, string action, string resourceArn, IotConnection connection)
    {
        var allowed = false;
        foreach (var document in policyDocuments)
        {
            using var parsed = JsonDocument.Parse(document);
            foreach (var statement in Statements(parsed.RootElement))
            {
                if (!Values(statement, "Action").Any(a => ActionPattern(a).IsMatch(action)))
                {
                    continue;
                }
                if (!Values(statement, "Resource").Any(r => ResourcePattern(r, connection) is { } pattern && pattern.IsMatch(resourceArn)))
                {
                    continue;
                }
                var effect = statement.GetProperty("Effect").GetString();
                if (effect == "Deny")
                {
                    return PolicyDecision.ExplicitDeny;
                }
                allowed |= effect == "Allow";
            }
        }
        return allowed ? PolicyDecision.Allow : PolicyDecision.ImplicitDeny;
    }

    private static IEnumerable<JsonElement> Statements(JsonElement policy)
    {
        var statements = policy.GetProperty("Statement");
        foreach (var statement in statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray() : Enumerable.Repeat(statements, 1))
        {
            foreach (var unsupported in new[] { "Condition", "NotAction", "NotResource", "NotPrincipal" })
            {
                if (statement.TryGetProperty(unsupported, out _))
                {
                    throw new NotSupportedException($"The emulator's policy evaluator does not evaluate {unsupported}.");
                }
            }
            yield return statement;
        }
    }

    private static IEnumerable<string> Values(JsonElement statement, string name)
    {
        var value = statement.GetProperty(name);
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString()!) : [value.GetString()!];
    }

    /// <summary>The resource as a regular expression, or null when one of its variables has no value.</summary>
    private static Regex? ResourcePattern(string resource, IotConnection connection)
    {
        var pattern = new StringBuilder("^");
        var at = 0;
        while (at < resource.Length)
        {
            var c = resource[at];
            if (c == '$' && at + 1 < resource.Length && resource[at + 1] == '{')
            {
                var end = resource.IndexOf('}', at);
                if (end < 0)
                {
                    throw new FormatException($"Unclosed policy variable in {resource}.");
                }
                var value = Resolve(resource[(at + 2)..end], connection);
                if (value is null)
                {
                    return null;
                }
                pattern.Append(Regex.Escape(value));
                at = end + 1;
                continue;
            }
            pattern.Append(c switch { '*' => ".*", '?' => ".", _ => Regex.Escape(c.ToString()) });
            at++;
        }
        return new Regex(pattern.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    private static string? Resolve(string variable, IotConnection connection)
    {
        var thing = connection.Thing;
        if (AttributeVariable().Match(variable) is { Success: true } attribute)
        {
            return thing is not null && thing.Attributes.TryGetValue(attribute.Groups[1].Value, out var value) ? value : null;
        }
        return variable switch
        {
            "*" or "?" or "$" => variable,
            "iot:ClientId" => connection.ClientId,
            "iot:Connection.Thing.ThingName" => thing?.Name,
            "iot:Connection.Thing.ThingTypeName" => thing?.ThingTypeName,
            "iot:Connection.Thing.IsAttached" => thing is null ? "false" : "true",
            _ => throw new NotSupportedException($"The emulator's policy evaluator does not know the variable ${{{variable}}}."),
        };
    }

    // Actions compare without regard to case, as in IAM ("iot:*", "IOT:Publish").
    private static Regex ActionPattern(string pattern)
    {
        var regex = "^" + string.Concat(pattern.Select(c => c switch { '*' => ".*", '?' => ".", _ => Regex.Escape(c.ToString()) })) + "$";
        return new Regex(regex, RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    [GeneratedRegex(@"^iot:Connection\.Thing\.Attributes\[([^\]]+)\]$")]
    private static partial Regex AttributeVariable();
}

using System.Text.Json;
using Acornima;
using Acornima.Ast;
using Jint;
using Jint.Native;
using Jint.Runtime;
using Jint.Runtime.Interop;
using Semver;

namespace Provision.Core.Releases;

/// <summary>
/// A release's policy: an expression over the device's properties, in JavaScript
/// (<c>version &gt;= "1.2.0" &amp;&amp; pro == true</c>) or in the EmbedThis Builder syntax
/// (<c>semver(version, "&lt;", newVersion) &amp;&amp; try-beta-features == 1 &amp;&amp; model ^= "T"</c>).
/// Compiled once; each evaluation runs in a fresh, sandboxed engine (strict mode, no CLR access, no eval,
/// time/statement/recursion/memory limits), so instances are thread safe. What a policy may contain is bounded
/// when it is compiled (<see cref="PolicyRules"/>), so no policy can allocate without bound.
/// </summary>
/// <remarks>
/// Variables: every property the device reported (names with <c>-</c> included), plus <c>id</c>, <c>version</c>,
/// <c>test</c>, <c>major</c>, <c>minor</c>, <c>patch</c> (of the device's version) and <c>newVersion</c> (the
/// release's). A property the device did not report is <c>undefined</c>; the strings "true" and "false" are
/// booleans. JavaScript's own globals (<c>Math</c>, <c>JSON</c>, …) take precedence over device properties of the
/// same name. Comparisons follow SemVer 2.0 precedence between SemVer strings and read a numeric string compared
/// with a number as that number (<see cref="PolicyOperators"/>). The result counts by JavaScript truthiness.
/// </remarks>
public sealed class ReleasePolicy
{
    public const int MaxLength = 1000;

    // Generous for an expression; limits stop runaway scripts, the time limit is a backstop (first runs include JIT).
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMilliseconds(100);
    private const int StatementLimit = 10_000;
    private const int RecursionLimit = 64;
    private const long MemoryLimit = 4 * 1024 * 1024;
    private const uint ArraySizeLimit = 10_000;
    private const int FailureMessageLimit = 200;

    private readonly Prepared<Script> _script;
    private readonly string[] _globals;
    private readonly Dictionary<string, string> _aliases;

    private ReleasePolicy(string expression, Prepared<Script> script, string[] globals, Dictionary<string, string> aliases)
    {
        Expression = expression;
        _script = script;
        _globals = globals;
        _aliases = aliases;
    }

    public string Expression { get; }

    /// <summary>Compiles a policy, or throws a <see cref="ValidationException"/> saying what is wrong with it.</summary>
    public static ReleasePolicy Compile(string expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            throw new ValidationException("Release policy is empty: give an expression such as version >= \"1.2.0\" && pro == true, or no policy.");
        }
        if (expression.Length > MaxLength)
        {
            throw new ValidationException($"Release policy is {expression.Length} characters long; the limit is {MaxLength}.");
        }

        var syntax = BuilderSyntax.Translate(expression);
        Script program;
        try
        {
            program = new Parser().ParseScript(syntax.Source, strict: true);
        }
        catch (ParseErrorException e)
        {
            throw new ValidationException($"Release policy is not a valid expression: {e.Description} ({Position(expression, syntax.OriginOf(IndexOf(syntax.Source, e.LineNumber, e.Column)))}).");
        }
        if (program.Body is not [ExpressionStatement statement])
        {
            throw new ValidationException("Release policy must be a single expression such as version >= \"1.2.0\" && pro == true.");
        }
        PolicyRules.Check(statement.Expression);

        // The result goes through one more statement so the limits are checked after the expression too.
        var rewritten = PolicyOperators.Rewrite(syntax.Source, statement.Expression, syntax.Placeholders);
        var source = $"{PolicyOperators.PreludeFor(rewritten)}const __policy_result = ({rewritten});\n__policy_result;\n";
        var script = Engine.PrepareScript(source, strict: true, options: new ScriptPreparationOptions { CollectReferencedGlobals = true });
        // The prelude's own functions need no variable; the aliases of hyphenated names do.
        var globals = script.ReferencedGlobals!.Where(name => syntax.Aliases.ContainsKey(name) || !PolicyOperators.Declares(name));
        return new ReleasePolicy(expression, script, [.. globals], syntax.Aliases);
    }

    // Acornima counts lines from 1 and columns from 0.
    private static int IndexOf(string source, int line, int column)
    {
        var index = 0;
        for (var l = 1; l < line && index >= 0; l++)
        {
            index = source.IndexOf('\n', index) + 1;
        }
        return Math.Max(index, 0) + column;
    }

    // People count lines and columns from 1.
    private static string Position(string expression, int index)
    {
        var lineStart = index == 0 ? 0 : expression.LastIndexOf('\n', index - 1) + 1;
        return $"line {1 + expression.AsSpan(0, index).Count('\n')}, column {index - lineStart + 1}";
    }

    /// <summary>
    /// Evaluates the policy for a device and the release it belongs to (<paramref name="newVersion"/>).
    /// A script error or an exceeded limit counts as "does not apply".
    /// </summary>
    public PolicyOutcome Evaluate(DeviceFacts device, string? newVersion = null)
    {
        try
        {
            var engine = new Engine(Sandbox);
            engine.SetValue(PolicyOperators.CompareFunction, new ClrFunction(engine, PolicyOperators.CompareFunction, CompareVersions));
            var current = PolicyOperators.TryParse(device.Version);
            // Only the names the policy reads are defined: unknown ones become undefined rather than a ReferenceError.
            foreach (var name in _globals)
            {
                if (!engine.Global.HasProperty(name))
                {
                    engine.SetValue(name, Variable(engine, device, current, newVersion, _aliases.GetValueOrDefault(name, name)));
                }
            }
            return new PolicyOutcome(TypeConverter.ToBoolean(engine.Evaluate(in _script)), null);
        }
        catch (Exception e) when (e is JintException or TimeoutException)
        {
            return new PolicyOutcome(false, Describe(e));
        }
    }

    private static void Sandbox(Options options)
    {
        options.Strict = true;
        options.Host.StringCompilationAllowed = false;
        options.Interop.Enabled = false;
        options.TimeoutInterval(TimeLimit);
        options.MaxStatements(StatementLimit);
        options.LimitRecursion(RecursionLimit);
        options.LimitMemory(MemoryLimit);
        options.Constraints.MaxArraySize = ArraySizeLimit;
        options.Constraints.RegexTimeout = TimeLimit;
        options.Constraints.StackOverflowGuard = true;
    }

    private static JsValue Variable(Engine engine, DeviceFacts device, SemVersion? current, string? newVersion, string name) => name switch
    {
        "id" => device.DeviceId,
        "version" => device.Version is null ? JsValue.Undefined : device.Version,
        "newVersion" => newVersion is null ? JsValue.Undefined : newVersion,
        "major" => current is null ? JsValue.Undefined : (double)current.Major,
        "minor" => current is null ? JsValue.Undefined : (double)current.Minor,
        "patch" => current is null ? JsValue.Undefined : (double)current.Patch,
        "test" => device.Test,
        _ => device.Properties.TryGetValue(name, out var value) ? Property(engine, value) : JsValue.Undefined,
    };

    // Clients that send every property as a string send "true" and "false" for booleans.
    private static JsValue Property(Engine engine, JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.ValueEquals("true") ? JsBoolean.True
        : value.ValueKind == JsonValueKind.String && value.ValueEquals("false") ? JsBoolean.False
        : ToJs(engine, value);

    private static JsValue ToJs(Engine engine, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString()!;
            case JsonValueKind.Number:
                return value.GetDouble();
            case JsonValueKind.True:
                return JsBoolean.True;
            case JsonValueKind.False:
                return JsBoolean.False;
            case JsonValueKind.Null:
                return JsValue.Null;
            case JsonValueKind.Array:
                return new JsArray(engine, value.EnumerateArray().Select(item => ToJs(engine, item)).ToArray());
            case JsonValueKind.Object:
                var result = new JsObject(engine);
                foreach (var property in value.EnumerateObject())
                {
                    result.CreateDataProperty(property.Name, ToJs(engine, property.Value));
                }
                return result;
            default:
                return JsValue.Undefined;
        }
    }

    private static JsValue CompareVersions(JsValue thisValue, JsValue[] arguments)
    {
        var left = arguments.Length > 0 && arguments[0].IsString() ? arguments[0].AsString() : null;
        var right = arguments.Length > 1 && arguments[1].IsString() ? arguments[1].AsString() : null;
        return PolicyOperators.Compare(left, right) is { } order ? order : JsValue.Undefined;
    }

    // Names the limit or the script's own error message; never the device's property values we passed in.
    private static string Describe(Exception e) => e switch
    {
        StatementsCountOverflowException => $"statement limit ({StatementLimit}) exceeded",
        TimeoutException => $"time limit ({TimeLimit.TotalMilliseconds} ms) exceeded",
        RecursionDepthOverflowException => $"recursion limit ({RecursionLimit}) exceeded",
        MemoryLimitExceededException => $"memory limit ({MemoryLimit / 1024 / 1024} MiB) exceeded",
        JavaScriptException script => Truncate($"script error: {script.Message}"),
        _ => Truncate($"script error: {e.GetType().Name}: {e.Message}"),
    };

    private static string Truncate(string text) => text.Length <= FailureMessageLimit ? text : text[..FailureMessageLimit] + "…";
}

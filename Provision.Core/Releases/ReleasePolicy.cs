using System.Text.Json;
using Acornima;
using Acornima.Ast;
using Jint;
using Jint.Native;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace Provision.Core.Releases;

/// <summary>
/// A release's policy: a JavaScript expression over the device's properties, e.g.
/// <c>version &gt;= "1.2.0" &amp;&amp; pro == true</c>. Compiled once; each evaluation runs in a fresh, sandboxed
/// engine (strict mode, no CLR access, no eval, time/statement/recursion/memory limits), so instances are thread safe.
/// </summary>
/// <remarks>
/// Variables: every property the device reported, plus <c>id</c>, <c>version</c> and <c>test</c> from its facts.
/// A property the device did not report is <c>undefined</c>. JavaScript's own globals (<c>Math</c>, <c>JSON</c>, …)
/// take precedence over device properties of the same name. Comparisons with <c>version</c> or a SemVer string
/// literal follow SemVer 2.0 precedence. The result counts by JavaScript truthiness.
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

    private ReleasePolicy(string expression, Prepared<Script> script, string[] globals)
    {
        Expression = expression;
        _script = script;
        _globals = globals;
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

        Script program;
        try
        {
            program = new Parser().ParseScript(expression, strict: true);
        }
        catch (ParseErrorException e)
        {
            // Acornima counts columns from 0; people count from 1.
            throw new ValidationException($"Release policy is not a valid expression: {e.Description} (line {e.LineNumber}, column {e.Column + 1}).");
        }
        if (program.Body is not [ExpressionStatement])
        {
            throw new ValidationException("Release policy must be a single expression such as version >= \"1.2.0\" && pro == true.");
        }

        // The result goes through one more statement so the limits are checked after the expression too:
        // a single native call (say "x".repeat(1e8)) runs no statements while it allocates.
        var rewritten = SemVerComparisons.Rewrite(expression, ((ExpressionStatement)program.Body[0]).Expression);
        var source = $"{SemVerComparisons.Prelude}const __policy_result = ({rewritten});\n__policy_result;\n";
        var script = Engine.PrepareScript(source, strict: true, options: new ScriptPreparationOptions { CollectReferencedGlobals = true });
        return new ReleasePolicy(expression, script, [.. script.ReferencedGlobals!]);
    }

    /// <summary>Evaluates the policy for a device. A script error or an exceeded limit counts as "does not apply".</summary>
    public PolicyOutcome Evaluate(DeviceFacts device)
    {
        try
        {
            var engine = new Engine(Sandbox);
            engine.SetValue(SemVerComparisons.CompareFunction, new ClrFunction(engine, SemVerComparisons.CompareFunction, CompareVersions));
            // Only the names the policy reads are defined: unknown ones become undefined rather than a ReferenceError.
            foreach (var name in _globals)
            {
                if (!engine.Global.HasProperty(name))
                {
                    engine.SetValue(name, Variable(engine, device, name));
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

    private static JsValue Variable(Engine engine, DeviceFacts device, string name) => name switch
    {
        "id" => device.DeviceId,
        "version" => device.Version is null ? JsValue.Undefined : device.Version,
        "test" => device.Test,
        _ => device.Properties.TryGetValue(name, out var value) ? ToJs(engine, value) : JsValue.Undefined,
    };

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
        return SemVerComparisons.Compare(left, right) is { } order ? order : JsValue.Undefined;
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

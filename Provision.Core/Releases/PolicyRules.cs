using Acornima;
using Acornima.Ast;

namespace Provision.Core.Releases;

/// <summary>
/// What a policy may contain: one expression over the device's properties, without functions, loops, <c>new</c>,
/// assignments or spread, calling only the functions and methods below. Nothing in such an expression can repeat
/// work or grow a value without bound, so every allocation is bounded by the policy's length before it runs
/// (<c>"x".repeat(2**28)</c>, <c>new ArrayBuffer(2**30)</c>, <c>Array(n)</c>, <c>padStart</c>, <c>join</c> and
/// recursion are refused when the policy is saved). A policy outside the rules is refused with the rule it breaks.
/// </summary>
internal static class PolicyRules
{
    /// <summary>Functions a policy may call by name.</summary>
    public static readonly IReadOnlySet<string> Functions = new HashSet<string>(StringComparer.Ordinal)
    {
        "semver", "Number", "String", "Boolean", "parseInt", "parseFloat", "isNaN", "isFinite",
    };

    /// <summary>Methods of <c>Math</c> a policy may call.</summary>
    public static readonly IReadOnlySet<string> MathMethods = new HashSet<string>(StringComparer.Ordinal)
    {
        "min", "max", "abs", "floor", "ceil", "round", "trunc", "sign",
    };

    /// <summary>Methods a policy may call on a value: none of them returns more than it was given.</summary>
    public static readonly IReadOnlySet<string> Methods = new HashSet<string>(StringComparer.Ordinal)
    {
        "startsWith", "endsWith", "includes", "indexOf", "lastIndexOf", "toLowerCase", "toUpperCase",
        "trim", "trimStart", "trimEnd", "slice", "substring", "charAt", "at", "test", "toString",
    };

    /// <summary>Throws a <see cref="ValidationException"/> naming the first rule <paramref name="expression"/> breaks.</summary>
    public static void Check(Expression expression) => new Checker().Visit(expression);

    private static string Callable =>
        $"a policy may call only {string.Join(", ", Functions.Select(f => f + "()"))}, Math.{string.Join("/", MathMethods)}() " +
        $"and the methods {string.Join(", ", Methods)}";

    private static ValidationException Refused(string what, string rule) => new($"Release policy may not {what}: {rule}.");

    private sealed class Checker : AstVisitor
    {
        public override object? Visit(Node node)
        {
            switch (node)
            {
                case BigIntLiteral:
                    throw Refused("use BigInt values", "numbers are enough to compare device properties");
                case Literal or Identifier or MemberExpression or BinaryExpression or LogicalExpression or ConditionalExpression
                    or ArrayExpression or ObjectExpression or TemplateLiteral or TemplateElement or ChainExpression
                    or SequenceExpression or ParenthesizedExpression:
                    break;
                case UnaryExpression unary when unary.Operator == Operator.Delete:
                    throw Refused("delete properties", "a policy only reads the device's properties");
                case UnaryExpression:
                    break;
                case Property { Kind: PropertyKind.Init, Method: false }:
                    break;
                case CallExpression { Callee: ArrowFunctionExpression or FunctionExpression or NewExpression }:
                    break; // refused when the callee is visited, with its own rule
                case CallExpression call:
                    CheckCallee(call.Callee);
                    break;
                case ArrowFunctionExpression or FunctionExpression or Property:
                    throw Refused("define functions", "a policy is one expression over the device's properties, without functions or loops");
                case NewExpression:
                    throw Refused("use 'new'", Callable);
                case AssignmentExpression or UpdateExpression:
                    throw Refused("assign values", "a policy only reads the device's properties");
                case SpreadElement:
                    throw Refused("spread values (...)", "list the values instead");
                case TaggedTemplateExpression:
                    throw Refused("call tagged templates", Callable);
                default:
                    throw Refused($"use {node.Type}", "a policy is one expression of values, operators and the calls allowed");
            }
            return base.Visit(node);
        }

        private static void CheckCallee(Expression callee)
        {
            var allowed = callee switch
            {
                Identifier id => Functions.Contains(id.Name),
                MemberExpression { Computed: false, Object: Identifier { Name: "Math" }, Property: Identifier method } => MathMethods.Contains(method.Name),
                MemberExpression { Computed: false, Property: Identifier method } => Methods.Contains(method.Name),
                _ => false,
            };
            if (!allowed)
            {
                throw Refused($"call {Name(callee)}", Callable);
            }
        }

        private static string Name(Expression callee) => callee switch
        {
            Identifier id => $"'{id.Name}'",
            MemberExpression { Computed: false, Property: Identifier method } => $"'{method.Name}'",
            _ => "a computed function",
        };
    }
}

using System.Text;
using Acornima;
using Acornima.Ast;
using Semver;

namespace Provision.Core.Releases;

/// <summary>
/// Rewrites a policy's operators into calls of helper functions declared by <see cref="PreludeFor"/>:
/// <list type="bullet">
/// <item>comparisons follow SemVer 2.0 precedence when both values are SemVer strings ("1.10.0" &gt; "1.2.0";
/// "1.0.0-beta" &lt; "1.0.0"), and otherwise treat a string sent for a boolean or a number as that boolean or
/// number (<c>memory === 256</c> holds for "256" as for 256), else plain JavaScript;</item>
/// <item>Builder's string operators (see <see cref="BuilderSyntax"/>) become starts-with, ends-with, contains and
/// regular-expression tests;</item>
/// <item><c>+</c> refuses to build a string longer than <see cref="MaxStringLength"/>.</item>
/// </list>
/// </summary>
internal static class PolicyOperators
{
    /// <summary>The longest string <c>+</c> may build.</summary>
    public const int MaxStringLength = 64 * 1024;

    /// <summary>Native helper: precedence of two SemVer strings as -1/0/1, or undefined when either is not one.</summary>
    public const string CompareFunction = "__semver_compare";

    /// <summary>JavaScript functions the rewritten operators call, by name; a policy's script declares only those it uses.</summary>
    private static readonly (string Name, string Source)[] Functions =
    [
        // A string sent for a boolean or a number is read as one when compared with one.
        ("__n", "function __n(a, b) { if (typeof a === \"string\") { if (typeof b === \"boolean\") { if (a === \"true\") return true; if (a === \"false\") return false; }" +
            " else if (typeof b === \"number\" && a.trim() !== \"\" && !isNaN(a)) return +a; } return a; }"),
        ("__lt", "function __lt(a, b) { const c = __semver_compare(a, b); return c === undefined ? __n(a, b) < __n(b, a) : c < 0; }"),
        ("__le", "function __le(a, b) { const c = __semver_compare(a, b); return c === undefined ? __n(a, b) <= __n(b, a) : c <= 0; }"),
        ("__gt", "function __gt(a, b) { const c = __semver_compare(a, b); return c === undefined ? __n(a, b) > __n(b, a) : c > 0; }"),
        ("__ge", "function __ge(a, b) { const c = __semver_compare(a, b); return c === undefined ? __n(a, b) >= __n(b, a) : c >= 0; }"),
        // Builder: a regular expression compared for equality is matched ("agent == /Chrome/").
        ("__eq", "function __eq(a, b) { if (b instanceof RegExp) return __matches(a, b); const c = __semver_compare(a, b); return c === undefined ? __n(a, b) == __n(b, a) : c === 0; }"),
        ("__seq", "function __seq(a, b) { const c = __semver_compare(a, b); return c === undefined ? __n(a, b) === __n(b, a) : c === 0; }"),
        ("__starts", "function __starts(a, b) { return a != null && String(a).startsWith(String(b)); }"),
        ("__ends", "function __ends(a, b) { return a != null && String(a).endsWith(String(b)); }"),
        ("__contains", "function __contains(a, b) { return a != null && String(a).includes(String(b)); }"),
        ("__matches", "function __matches(a, b) { return a != null && (b instanceof RegExp ? b : new RegExp(String(b))).test(String(a)); }"),
        ("__add", "function __add(a, b) { const r = a + b;" +
            $" if (typeof r === \"string\" && r.length > {MaxStringLength}) throw new RangeError(\"string length limit ({MaxStringLength} characters) exceeded\"); return r; }}"),
        ("semver", "function semver(a, op, b) { switch (op) {" +
            " case \"<\": return __lt(a, b); case \"<=\": return __le(a, b); case \">\": return __gt(a, b); case \">=\": return __ge(a, b);" +
            " case \"=\": case \"==\": case \"===\": return __eq(a, b); case \"!=\": case \"!==\": return !__eq(a, b);" +
            " default: throw new TypeError(\"semver() compares with <, <=, >, >=, == or !=\"); } }"),
    ];

    /// <summary>The declarations of the prelude functions <paramref name="source"/> calls, and of those they call.</summary>
    public static string PreludeFor(string source)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var text = source;
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (name, declaration) in Functions)
            {
                if (!used.Contains(name) && text.Contains(name + "(", StringComparison.Ordinal))
                {
                    used.Add(name);
                    text += declaration;
                    grew = true;
                }
            }
        }
        return string.Concat(Functions.Where(f => used.Contains(f.Name)).Select(f => f.Source + "\n"));
    }

    /// <summary>Whether <paramref name="name"/> is a function the prelude declares.</summary>
    public static bool Declares(string name) => Functions.Any(f => f.Name == name);

    /// <summary>The source of <paramref name="expression"/> with its operators replaced by calls of prelude functions.</summary>
    public static string Rewrite(string source, Expression expression, IReadOnlyDictionary<int, BuilderOperator> placeholders)
    {
        var finder = new OperatorFinder(placeholders);
        finder.Visit(expression);
        // Outer operators before the ones nested in them.
        var targets = finder.Found.OrderBy(t => t.Node.Start).ThenByDescending(t => t.Node.End).ToList();
        var output = new StringBuilder(source.Length + targets.Count * 32);
        Render(source, expression.Start, expression.End, targets, output);
        return output.ToString();
    }

    private static void Render(string source, int start, int end, List<(BinaryExpression Node, string Function, bool Negate)> targets, StringBuilder output)
    {
        var position = start;
        foreach (var (target, function, negate) in targets)
        {
            // Skip operators outside this span and those inside one already rendered at this level.
            if (target.Start < position || target.End > end)
            {
                continue;
            }
            output.Append(source, position, target.Start - position);
            output.Append(negate ? "(!" : "(").Append(function).Append("((");
            // Operands keep their own parentheses: a parenthesised comma expression must stay one argument.
            Render(source, target.Left.Start, target.Left.End, targets, output);
            output.Append("), (");
            Render(source, target.Right.Start, target.Right.End, targets, output);
            output.Append(")))");
            position = target.End;
        }
        output.Append(source, position, end - position);
    }

    /// <summary>Compares two values by SemVer precedence; null when either is not a SemVer string.</summary>
    public static int? Compare(string? left, string? right) =>
        TryParse(left) is { } a && TryParse(right) is { } b ? Math.Sign(a.ComparePrecedenceTo(b)) : null;

    public static SemVersion? TryParse(string? value) =>
        value is not null && SemVersion.TryParse(value, SemVersionStyles.Strict, out var version) ? version : null;

    private sealed class OperatorFinder(IReadOnlyDictionary<int, BuilderOperator> placeholders) : AstVisitor
    {
        public List<(BinaryExpression Node, string Function, bool Negate)> Found { get; } = [];

        protected override object? VisitBinaryExpression(BinaryExpression node)
        {
            if (Helper(node) is { } helper)
            {
                Found.Add((node, helper.Function, helper.Negate));
            }
            return base.VisitBinaryExpression(node);
        }

        private (string Function, bool Negate)? Helper(BinaryExpression node) => node.Operator switch
        {
            Operator.LessThan => ("__lt", false),
            Operator.LessThanOrEqual => ("__le", false),
            Operator.GreaterThan => ("__gt", false),
            Operator.GreaterThanOrEqual => ("__ge", false),
            Operator.Equality => ("__eq", false),
            Operator.Inequality => ("__eq", true),
            Operator.StrictEquality => ("__seq", false),
            Operator.StrictInequality => ("__seq", true),
            Operator.Addition => ("__add", false),
            Operator.In => Placeholder(node) switch
            {
                BuilderOperator.StartsWith => ("__starts", false),
                BuilderOperator.NotStartsWith => ("__starts", true),
                BuilderOperator.EndsWith => ("__ends", false),
                BuilderOperator.NotEndsWith => ("__ends", true),
                BuilderOperator.Contains => ("__contains", false),
                BuilderOperator.NotContains => ("__contains", true),
                BuilderOperator.Matches => ("__matches", false),
                _ => null,
            },
            _ => null,
        };

        private BuilderOperator? Placeholder(BinaryExpression node)
        {
            foreach (var (position, op) in placeholders)
            {
                if (position >= node.Left.End && position < node.Right.Start)
                {
                    return op;
                }
            }
            return null;
        }
    }
}

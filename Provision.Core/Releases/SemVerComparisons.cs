using System.Text;
using Acornima;
using Acornima.Ast;
using Semver;

namespace Provision.Core.Releases;

/// <summary>
/// Rewrites comparisons that involve versions so they follow SemVer 2.0 precedence instead of string order
/// ("1.10.0" &gt; "1.2.0"; "1.0.0-beta" &lt; "1.0.0"). A comparison is rewritten when an operand is the
/// identifier <c>version</c> or a string literal that is a SemVer version; at run time it compares by precedence
/// when both values are SemVer strings and falls back to the plain JavaScript operator otherwise.
/// </summary>
internal static class SemVerComparisons
{
    /// <summary>Native helper: precedence of two SemVer strings as -1/0/1, or undefined when either is not one.</summary>
    public const string CompareFunction = "__semver_compare";

    /// <summary>JavaScript functions the rewritten comparisons call; declared ahead of the policy in the same script.</summary>
    public const string Prelude =
        "function __semver_lt(a, b) { const c = __semver_compare(a, b); return c === undefined ? a < b : c < 0; }\n" +
        "function __semver_le(a, b) { const c = __semver_compare(a, b); return c === undefined ? a <= b : c <= 0; }\n" +
        "function __semver_gt(a, b) { const c = __semver_compare(a, b); return c === undefined ? a > b : c > 0; }\n" +
        "function __semver_ge(a, b) { const c = __semver_compare(a, b); return c === undefined ? a >= b : c >= 0; }\n" +
        "function __semver_eq(a, b) { const c = __semver_compare(a, b); return c === undefined ? a == b : c === 0; }\n" +
        "function __semver_seq(a, b) { const c = __semver_compare(a, b); return c === undefined ? a === b : c === 0; }\n";

    /// <summary>The source of <paramref name="expression"/> with every version comparison replaced by a call of a prelude function.</summary>
    public static string Rewrite(string source, Expression expression)
    {
        var finder = new ComparisonFinder();
        finder.Visit(expression);
        // Outer comparisons before the ones nested in them.
        var targets = finder.Found.OrderBy(c => c.Start).ThenByDescending(c => c.End).ToList();
        var output = new StringBuilder(source.Length + targets.Count * 32);
        Render(source, expression.Start, expression.End, targets, output);
        return output.ToString();
    }

    private static void Render(string source, int start, int end, List<BinaryExpression> targets, StringBuilder output)
    {
        var position = start;
        foreach (var target in targets)
        {
            // Skip comparisons outside this span and those inside one already rendered at this level.
            if (target.Start < position || target.End > end)
            {
                continue;
            }
            var (function, negate) = Function(target.Operator);
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

    private static (string Function, bool Negate) Function(Operator op) => op switch
    {
        Operator.LessThan => ("__semver_lt", false),
        Operator.LessThanOrEqual => ("__semver_le", false),
        Operator.GreaterThan => ("__semver_gt", false),
        Operator.GreaterThanOrEqual => ("__semver_ge", false),
        Operator.Equality => ("__semver_eq", false),
        Operator.Inequality => ("__semver_eq", true),
        Operator.StrictEquality => ("__semver_seq", false),
        Operator.StrictInequality => ("__semver_seq", true),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Not a comparison."),
    };

    /// <summary>Compares two values by SemVer precedence; null when either is not a SemVer string.</summary>
    public static int? Compare(string? left, string? right) =>
        TryParse(left) is { } a && TryParse(right) is { } b ? Math.Sign(a.ComparePrecedenceTo(b)) : null;

    public static SemVersion? TryParse(string? value) =>
        value is not null && SemVersion.TryParse(value, SemVersionStyles.Strict, out var version) ? version : null;

    private static bool IsVersionOperand(Node node) => node switch
    {
        Identifier { Name: "version" } => true,
        StringLiteral literal => TryParse(literal.Value) is not null,
        _ => false,
    };

    private sealed class ComparisonFinder : AstVisitor
    {
        public List<BinaryExpression> Found { get; } = [];

        protected override object? VisitBinaryExpression(BinaryExpression node)
        {
            if (node.Operator is Operator.LessThan or Operator.LessThanOrEqual or Operator.GreaterThan or Operator.GreaterThanOrEqual
                    or Operator.Equality or Operator.Inequality or Operator.StrictEquality or Operator.StrictInequality
                && (IsVersionOperand(node.Left) || IsVersionOperand(node.Right)))
            {
                Found.Add(node);
            }
            return base.VisitBinaryExpression(node);
        }
    }
}

using System.Text;

namespace Provision.Core.Releases;

/// <summary>The string operators of the EmbedThis Builder expression syntax.</summary>
internal enum BuilderOperator { StartsWith, NotStartsWith, EndsWith, NotEndsWith, Contains, NotContains, Matches }

/// <summary>
/// Turns a policy written in the EmbedThis Builder expression syntax into JavaScript, so both run in the same
/// sandbox. Builder's string operators (<c>^=</c>, <c>^!=</c>, <c>$=</c>, <c>$!=</c>, <c>&gt;&lt;</c>,
/// <c>&lt;&gt;</c>, <c>=~</c>) become the placeholder operator <c>in</c>, remembered by position so the rewrite
/// turns each into a helper call; names with <c>-</c> (<c>try-beta-features</c>) become plain identifiers that
/// stand for the property of that name. None of these is valid in a policy written in JavaScript, which passes
/// through unchanged.
/// </summary>
internal sealed class BuilderSyntax
{
    private static readonly (string Text, BuilderOperator Operator)[] Operators =
    [
        ("^!=", BuilderOperator.NotStartsWith), ("$!=", BuilderOperator.NotEndsWith),
        ("^=", BuilderOperator.StartsWith), ("$=", BuilderOperator.EndsWith),
        ("><", BuilderOperator.Contains), ("<>", BuilderOperator.NotContains), ("=~", BuilderOperator.Matches),
    ];

    private static readonly string[] KeywordsBeforeValue = ["typeof", "instanceof", "in", "void", "delete", "new", "return", "of"];

    private readonly StringBuilder _output = new();
    private readonly List<int> _origins = [];

    private BuilderSyntax()
    {
    }

    /// <summary>The JavaScript source.</summary>
    public string Source => _output.ToString();

    /// <summary>Identifiers standing for property names that are not JavaScript identifiers, to the property name.</summary>
    public Dictionary<string, string> Aliases { get; } = new(StringComparer.Ordinal);

    /// <summary>Positions in <see cref="Source"/> of each <c>in</c> that stands for a Builder string operator.</summary>
    public Dictionary<int, BuilderOperator> Placeholders { get; } = [];

    /// <summary>The position in the policy as written of a position in <see cref="Source"/>.</summary>
    public int OriginOf(int position) => position < _origins.Count ? _origins[Math.Max(position, 0)] : (_origins.Count == 0 ? 0 : _origins[^1] + 1);

    public static BuilderSyntax Translate(string policy)
    {
        var syntax = new BuilderSyntax();
        syntax.Run(policy);
        return syntax;
    }

    private void Run(string s)
    {
        var valueBefore = false; // whether the last token ends a value (then '/' divides, else it starts a regex)
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                Copy(s, i, 1);
                i++;
            }
            else if (c is '"' or '\'' or '`')
            {
                i = CopyQuoted(s, i, c);
                valueBefore = true;
            }
            else if (c == '/' && i + 1 < s.Length && s[i + 1] == '/')
            {
                var end = s.IndexOf('\n', i);
                end = end < 0 ? s.Length : end;
                Copy(s, i, end - i);
                i = end;
            }
            else if (c == '/' && i + 1 < s.Length && s[i + 1] == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? s.Length : end + 2;
                Copy(s, i, end - i);
                i = end;
            }
            else if (c == '/' && !valueBefore)
            {
                i = CopyRegex(s, i);
                valueBefore = true;
            }
            else if (MatchOperator(s, i) is { } op)
            {
                Placeholders[_output.Length + 1] = op.Operator;
                Emit(" in ", i);
                i += op.Text.Length;
                valueBefore = false;
            }
            else if (IsIdentifierStart(c))
            {
                var start = i;
                i = ScanIdentifier(s, i);
                var memberName = PreviousSignificant() == '.';
                while (!memberName && i + 1 < s.Length && s[i] == '-' && IsIdentifierStart(s[i + 1]))
                {
                    i = ScanIdentifier(s, i + 1);
                }
                var word = s[start..i];
                if (word.Contains('-'))
                {
                    Emit(Alias(word), start);
                }
                else
                {
                    Copy(s, start, i - start);
                }
                valueBefore = !KeywordsBeforeValue.Contains(word);
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
            {
                var start = i;
                while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '.' or '_'
                    || (s[i] is '+' or '-' && s[i - 1] is 'e' or 'E' && !s[start..i].StartsWith("0x", StringComparison.OrdinalIgnoreCase))))
                {
                    i++;
                }
                Copy(s, start, i - start);
                valueBefore = true;
            }
            else
            {
                // JavaScript's multi-character operators are copied whole, so "==~" stays "==" followed by "~".
                var length = JavaScriptOperatorLength(s, i);
                Copy(s, i, length);
                i += length;
                valueBefore = c is ')' or ']' or '}';
            }
        }
    }

    private static (string Text, BuilderOperator Operator)? MatchOperator(string s, int i)
    {
        foreach (var op in Operators)
        {
            // "$==" and "^==" are no Builder operators; neither is "<>" inside "<<>" or similar JavaScript.
            if (string.CompareOrdinal(s, i, op.Text, 0, op.Text.Length) == 0
                && !(i + op.Text.Length < s.Length && s[i + op.Text.Length] == '=' && op.Text[^1] == '='))
            {
                return op;
            }
        }
        return null;
    }

    private static int JavaScriptOperatorLength(string s, int i)
    {
        string[] operators = [">>>=", "===", "!==", ">>>", "**=", "<<=", ">>=", "...", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "=>", "**", "<<", ">>", "++", "--"];
        foreach (var op in operators)
        {
            if (string.CompareOrdinal(s, i, op, 0, op.Length) == 0)
            {
                return op.Length;
            }
        }
        return 1;
    }

    private string Alias(string name)
    {
        foreach (var (alias, known) in Aliases)
        {
            if (known == name)
            {
                return alias;
            }
        }
        var created = $"__property_{Aliases.Count}";
        Aliases[created] = name;
        return created;
    }

    private int CopyQuoted(string s, int start, char quote)
    {
        var i = start + 1;
        while (i < s.Length && s[i] != quote)
        {
            i += s[i] == '\\' ? 2 : 1;
        }
        var end = Math.Min(i + 1, s.Length);
        Copy(s, start, end - start);
        return end;
    }

    private int CopyRegex(string s, int start)
    {
        var i = start + 1;
        var inClass = false;
        while (i < s.Length && s[i] != '\n' && (inClass || s[i] != '/'))
        {
            inClass = s[i] == '[' || (inClass && s[i] != ']');
            i += s[i] == '\\' ? 2 : 1;
        }
        i = Math.Min(i + 1, s.Length);
        while (i < s.Length && char.IsAsciiLetter(s[i]))
        {
            i++;
        }
        Copy(s, start, i - start);
        return i;
    }

    private static int ScanIdentifier(string s, int i)
    {
        i++;
        while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] is '_' or '$'))
        {
            i++;
        }
        return i;
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c is '_' or '$';

    private char PreviousSignificant()
    {
        for (var i = _output.Length - 1; i >= 0; i--)
        {
            if (!char.IsWhiteSpace(_output[i]))
            {
                return _output[i];
            }
        }
        return '\0';
    }

    private void Copy(string s, int start, int length)
    {
        _output.Append(s, start, length);
        for (var k = 0; k < length; k++)
        {
            _origins.Add(start + k);
        }
    }

    private void Emit(string text, int origin)
    {
        _output.Append(text);
        for (var k = 0; k < text.Length; k++)
        {
            _origins.Add(origin);
        }
    }
}

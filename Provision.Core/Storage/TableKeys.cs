using System.Text.RegularExpressions;

namespace Provision.Core.Storage;

/// <summary>Checks values before they become Table Storage keys or table names.</summary>
public static partial class TableKeys
{
    /// <summary>Longest id accepted as a key; Table Storage allows 1 KiB, ids never need that much.</summary>
    public const int MaxKeyLength = 256;

    /// <summary>Returns the value when it can be a PartitionKey or RowKey; else throws a <see cref="ValidationException"/> naming <paramref name="what"/>.</summary>
    public static string Validate(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ValidationException($"Missing {what}.");
        }
        if (value.Length > MaxKeyLength)
        {
            throw new ValidationException($"The {what} is longer than {MaxKeyLength} characters.");
        }
        foreach (var c in value)
        {
            if (c is '/' or '\\' or '#' or '?')
            {
                throw new ValidationException($"The {what} must not contain '/', '\\', '#' or '?'.");
            }
            if (char.IsControl(c))
            {
                throw new ValidationException($"The {what} must not contain control characters.");
            }
        }
        return value;
    }

    public static bool IsValidTableName(string name) => TableName().IsMatch(name);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}

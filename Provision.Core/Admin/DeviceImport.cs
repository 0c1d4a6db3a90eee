using System.Text.Json;

namespace Provision.Core.Admin;

public enum DeviceImportFormat { Csv, Json }

/// <summary>One row of an import: its position (CSV line number from 1, or JSON array index from 0) and id, or why it cannot be read.</summary>
public sealed record DeviceImportRow(int Position, string? Id, string? Error = null);

public sealed record ImportedDevice(int Position, string Id, string Token)
{
    public override string ToString() => $"ImportedDevice {{ Position = {Position}, Id = {Id} }}";
}

public sealed record DeviceImportError(int Position, string? Id, string Reason);

/// <summary>What an import created (with each device's token, shown once) and which rows it rejected and why.</summary>
public sealed record DeviceImportReport(DeviceImportFormat Format, IReadOnlyList<ImportedDevice> Created, IReadOnlyList<DeviceImportError> Errors);

/// <summary>
/// Reads device lists: CSV with a header line that has an <c>id</c> column (other columns are ignored),
/// or a JSON array of objects with an <c>id</c>, or of id strings.
/// A file that cannot be read at all is refused; a row that cannot be read is reported with its position.
/// </summary>
public static class DeviceImport
{
    public static IReadOnlyList<DeviceImportRow> Parse(DeviceImportFormat format, string content, int maxRows)
    {
        var rows = format == DeviceImportFormat.Csv ? ParseCsv(content) : ParseJson(content);
        if (rows.Count == 0)
        {
            throw new ValidationException("The import lists no devices.");
        }
        if (rows.Count > maxRows)
        {
            throw new ValidationException($"The import lists {rows.Count} devices; at most {maxRows} are accepted at once. Split the file.");
        }
        return rows;
    }

    /// <summary>"line 3" or "index 2", as a report names a row.</summary>
    public static string Describe(DeviceImportFormat format, int position) =>
        format == DeviceImportFormat.Csv ? $"line {position}" : $"index {position}";

    private static List<DeviceImportRow> ParseCsv(string content)
    {
        var lines = content.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var headerIndex = lines.FindIndex(l => !string.IsNullOrWhiteSpace(l));
        if (headerIndex < 0)
        {
            return [];
        }
        var header = Fields(lines[headerIndex]);
        var idColumn = header.FindIndex(h => h.Equals("id", StringComparison.OrdinalIgnoreCase));
        if (idColumn < 0)
        {
            throw new ValidationException("The CSV needs a header line with an \"id\" column, e.g. \"id\" followed by one device id per line.");
        }

        var rows = new List<DeviceImportRow>();
        for (var i = headerIndex + 1; i < lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }
            var line = i + 1;
            var fields = Fields(lines[i]);
            if (fields.Count != header.Count)
            {
                rows.Add(new DeviceImportRow(line, null, $"The line has {fields.Count} fields; the header has {header.Count}."));
                continue;
            }
            var id = fields[idColumn];
            rows.Add(id.Length == 0 ? new DeviceImportRow(line, null, "The device id is missing.") : new DeviceImportRow(line, id));
        }
        return rows;
    }

    // Device ids hold no commas or quotes, so a field is the text between commas, trimmed and unquoted.
    private static List<string> Fields(string line) =>
        line.Split(',').Select(f => f.Trim()).Select(f => f.Length >= 2 && f[0] == '"' && f[^1] == '"' ? f[1..^1].Trim() : f).ToList();

    private static List<DeviceImportRow> ParseJson(string content)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            throw new ValidationException("The import is not valid JSON: send an array of objects with an \"id\", e.g. [{\"id\":\"A1B2C3D4E5\"}].");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new ValidationException("The JSON import must be an array of objects with an \"id\", e.g. [{\"id\":\"A1B2C3D4E5\"}].");
            }
            var rows = new List<DeviceImportRow>();
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                rows.Add(JsonRow(index++, item));
            }
            return rows;
        }
    }

    private static DeviceImportRow JsonRow(int index, JsonElement item)
    {
        if (item.ValueKind is not (JsonValueKind.String or JsonValueKind.Object))
        {
            return new DeviceImportRow(index, null, "The entry must be an object with an \"id\", or an id string.");
        }
        var id = item.ValueKind == JsonValueKind.String ? item : item.TryGetProperty("id", out var value) ? value : default;
        return id.ValueKind switch
        {
            JsonValueKind.String when id.GetString() is { Length: > 0 } text => new DeviceImportRow(index, text),
            JsonValueKind.Undefined or JsonValueKind.Null => new DeviceImportRow(index, null, "The device id is missing."),
            JsonValueKind.String => new DeviceImportRow(index, null, "The device id is missing."),
            _ => new DeviceImportRow(index, null, "The device id must be a string."),
        };
    }
}

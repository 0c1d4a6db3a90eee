using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Provision.Core;

namespace Provision.Functions;

/// <summary>A device call's JSON body, read with a size limit and checked field by field.</summary>
public sealed class DeviceRequest
{
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The longest string a named field may hold unless it says otherwise (ids are bounded further by storage).</summary>
    public const int MaxStringLength = 256;

    /// <summary>The longest string anywhere in a body (a CSR is the longest thing a device sends).</summary>
    public const int MaxAnyStringLength = 16 * 1024;

    private DeviceRequest(JsonElement body, string? authorization)
    {
        Body = body;
        Authorization = authorization;
    }

    /// <summary>The body: a JSON object (empty when the body is optional and absent).</summary>
    public JsonElement Body { get; }
    public string? Authorization { get; }

    public static async Task<DeviceRequest> ReadAsync(HttpRequest request, bool bodyRequired, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, MaxBodyBytes, cancellationToken);
        var authorization = request.Headers.Authorization.ToString();
        if (body.Length == 0)
        {
            return bodyRequired
                ? throw new ValidationException("Request body is missing: send a JSON object with the device \"id\".")
                : new DeviceRequest(EmptyObject, authorization);
        }
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ValidationException("Request body must be a JSON object.");
            }
            CheckStrings(document.RootElement);
            return new DeviceRequest(document.RootElement.Clone(), authorization);
        }
        catch (JsonException)
        {
            throw new ValidationException("Request body is not valid JSON.");
        }
    }

    /// <summary>The raw body, refused with <see cref="PayloadTooLargeException"/> past <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw new PayloadTooLargeException($"Request body is larger than {maxBytes / 1024} KiB.");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new PayloadTooLargeException($"Request body is larger than {maxBytes / 1024} KiB.");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Every string and member name must be well-formed Unicode (no invalid UTF-8, no unpaired surrogate) and
    /// at most <see cref="MaxAnyStringLength"/> characters: what a device sends is stored and read by policies.
    /// </summary>
    private static void CheckStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    CheckString(() => member.Name);
                    CheckStrings(member.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CheckStrings(item);
                }
                break;
            case JsonValueKind.String:
                CheckString(element.GetString);
                break;
        }
    }

    private static void CheckString(Func<string?> read)
    {
        string? text;
        try
        {
            text = read();
        }
        catch (InvalidOperationException)
        {
            throw new ValidationException("Request body has a string that is not valid UTF-8 or has an unpaired UTF-16 surrogate.");
        }
        if (text is null)
        {
            return;
        }
        if (text.Length > MaxAnyStringLength)
        {
            throw new ValidationException($"Request body has a string longer than {MaxAnyStringLength} characters.");
        }
        if (HasLoneSurrogate(text))
        {
            throw new ValidationException("Request body has a string with an unpaired UTF-16 surrogate.");
        }
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }
        return false;
    }

    public string RequiredString(string name, int maxLength = MaxStringLength) =>
        OptionalString(name, maxLength) ?? throw new ValidationException($"\"{name}\" is required.");

    public string? OptionalString(string name, int maxLength = MaxStringLength)
    {
        if (!Body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ValidationException($"\"{name}\" must be a string.");
        }
        // Every string was checked to be well-formed when the body was read.
        var text = value.GetString()!;
        return text.Length <= maxLength
            ? text
            : throw new ValidationException($"\"{name}\" is longer than {maxLength} characters.");
    }

    /// <summary>An array of strings (at most 16), or null when absent.</summary>
    public IReadOnlyList<string>? OptionalStrings(string name)
    {
        if (!Body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > 16
            || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String))
        {
            throw new ValidationException($"\"{name}\" must be an array of at most 16 strings.");
        }
        return value.EnumerateArray().Select(item => item.GetString()!).ToList();
    }

    public bool? OptionalBool(string name)
    {
        if (!Body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        // The updaters send every value as a string: "true" and "false" mean the booleans.
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when value.ValueEquals("true") => true,
            JsonValueKind.String when value.ValueEquals("false") => false,
            _ => throw new ValidationException($"\"{name}\" must be true or false."),
        };
    }

    public int? OptionalInt(string name)
    {
        if (!Body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw new ValidationException($"\"{name}\" must be a whole number.");
    }

    public bool RequiredBool(string name) =>
        OptionalBool(name) ?? throw new ValidationException($"\"{name}\" is required (true or false).");

    /// <summary>The body's members other than <paramref name="except"/>; a repeated name is refused.</summary>
    public IReadOnlyDictionary<string, JsonElement> Properties(IReadOnlySet<string> except)
    {
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var member in Body.EnumerateObject())
        {
            if (!except.Contains(member.Name) && !properties.TryAdd(member.Name, member.Value.Clone()))
            {
                throw new ValidationException($"\"{member.Name}\" appears more than once in the request body.");
            }
        }
        return properties;
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();
}

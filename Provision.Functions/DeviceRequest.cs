using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Provision.Core;

namespace Provision.Functions;

/// <summary>A device call's JSON body, read with a size limit and checked field by field.</summary>
public sealed class DeviceRequest
{
    public const int MaxBodyBytes = 64 * 1024;

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

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw new ValidationException($"\"{name}\" is required.");

    public string? OptionalString(string name)
    {
        if (!Body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ValidationException($"\"{name}\" must be a string.");
        }
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // Bytes that are not UTF-8, or an escaped lone surrogate: no text to read.
            throw new ValidationException($"\"{name}\" must be valid UTF-8 text.");
        }
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
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
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

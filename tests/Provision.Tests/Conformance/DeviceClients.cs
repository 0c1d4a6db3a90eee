using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Conformance;

/// <summary>
/// The requests the real device clients send, byte for byte as their source builds them, and the rules by
/// which they read the answers. Learned from the EmbedThis Ioto agent (register.c, provision.c, update.c,
/// urlLib.c, rLib.c) and the EmbedThis updater (updater.c, updater.js, updater.sh).
/// </summary>
public static partial class DeviceClients
{
    /// <summary>The agent: "Authorization: bearer {token}\r\nContent-Type: application/json\r\n", compact JSON.</summary>
    public static HttpRequest AgentPost(string token, string? body) => Post(body, "bearer " + token);

    /// <summary>The C, JS and shell updaters: the token as the whole Authorization header, no scheme.</summary>
    public static HttpRequest UpdaterPost(string token, string body) => Post(body, token);

    /// <summary>The agent's register body: its device.json5 "device" section, plus "created" (ISO date).</summary>
    public static string AgentDeviceJson(string id, string productToken, string? account = null) =>
        "{\"id\":\"" + id + "\",\"product\":\"" + productToken + "\",\"name\":\"Thermostat\",\"description\":\"Lab unit & spare\"," +
        "\"model\":\"T-100+\"" + (account is null ? "" : ",\"account\":\"" + account + "\"") + ",\"created\":\"2026-01-02T03:04:05.678Z\"}";

    /// <summary>The agent's update-check body: the device section, then "version" and "iotoVersion".</summary>
    public static string AgentUpdateJson(string id, string productToken, string version) =>
        "{\"id\":\"" + id + "\",\"product\":\"" + productToken + "\",\"name\":\"Thermostat\",\"model\":\"T-100+\",\"test\":false," +
        "\"version\":\"" + version + "\",\"iotoVersion\":\"3.0.2\"}";

    /// <summary>The C updater's check body: id, product, version, then key=value arguments as strings.</summary>
    public static string CUpdaterCheck(string id, string product, string version, params (string Key, string Value)[] properties) =>
        "{\"id\":\"" + id + "\",\"product\":\"" + product + "\",\"version\":\"" + version + "\"" +
        string.Concat(properties.Select(p => ",\"" + p.Key + "\":\"" + p.Value + "\"")) + "}";

    /// <summary>The C updater's report body; success is a JSON boolean.</summary>
    public static string CUpdaterReport(string id, string update, bool success) =>
        "{\"success\":" + (success ? "true" : "false") + ",\"id\":\"" + id + "\",\"update\":\"" + update + "\"}";

    /// <summary>The shell updater's check body: a here-document, indented, properties as strings.</summary>
    public static string ShellUpdaterCheck(string id, string product, string version, params (string Key, string Value)[] properties) =>
        "{\n    \"id\":\"" + id + "\",\n    \"product\":\"" + product + "\",\n    \"version\":\"" + version + "\"" +
        (properties.Length == 0 ? "" : ",\n    " + string.Join(",", properties.Select(p => "\"" + p.Key + "\":\"" + p.Value + "\""))) + "\n}\n";

    /// <summary>The shell updater's report body: success is the string "true" or "false".</summary>
    public static string ShellUpdaterReport(string id, string update, bool success) =>
        "{\n    \"success\":\"" + (success ? "true" : "false") + "\",\n    \"id\":\"" + id + "\",\n    \"update\":\"" + update + "\"\n}\n";

    /// <summary>
    /// The C updater's JSON reading: find <c>"key":</c> verbatim, then take the quoted text up to the next quote
    /// (no unescaping) or the bare text up to ',' or '}'.
    /// </summary>
    public static string? CUpdaterValue(string json, string key)
    {
        var at = json.IndexOf("\"" + key + "\":", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var start = at + key.Length + 3;
        if (json[start] == '"')
        {
            return json[(start + 1)..json.IndexOf('"', start + 1)];
        }
        var end = json.IndexOfAny([',', '}'], start);
        return json[start..end];
    }

    /// <summary>The agent's date rule: YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or an offset, nothing after.</summary>
    public static bool AgentAcceptsIsoDate(string text) => AgentIsoDate().IsMatch(text);

    /// <summary>What every device answer must be for the C updater and the agent to read it.</summary>
    public static void AssertReadable(HttpAnswer answer)
    {
        Assert.True(answer.Headers.ContentLength.HasValue, "Content-Length is missing");
        Assert.Equal(Encoding.UTF8.GetByteCount(answer.Text), answer.Headers.ContentLength!.Value);
        Assert.DoesNotContain("\\u0026", answer.Text);
        Assert.DoesNotContain("\\u002B", answer.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\\u003C", answer.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\\u0027", answer.Text);
    }

    private static HttpRequest Post(string? body, string authorization)
    {
        var request = HttpResults.Request("POST", body, authorization);
        request.Headers.ContentType = "application/json";
        return request;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)$")]
    private static partial Regex AgentIsoDate();
}

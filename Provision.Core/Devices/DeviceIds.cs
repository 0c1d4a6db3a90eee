using System.Text.RegularExpressions;

namespace Provision.Core.Devices;

/// <summary>
/// The one rule for device ids, used by registration, management create and import alike. A device id names the
/// AWS IoT thing, the MQTT client id and a level of the device's topics, so it is an AWS thing name (no MQTT wildcard
/// '+' or '#', no '$', no '/') and never a topic word the IoT policy itself uses.
/// </summary>
public static partial class DeviceIds
{
    public const int MaxLength = 128;

    /// <summary>Topic words of the built-in IoT policy; refused whatever their case.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(
        ["all", "ioto", "device", "account", "service", "things", "shadow", "rules", "IotoDevice"], StringComparer.OrdinalIgnoreCase);

    public const string Rule =
        "A device id must be 1-128 letters, digits, ':', '_' or '-' (it names the AWS IoT thing and its MQTT topics), " +
        "and not a reserved word (all, ioto, device, account, service, things, shadow, rules, IotoDevice).";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id) && !Reserved.Contains(id);

    /// <summary>Returns the id when it is valid; else throws a <see cref="ValidationException"/> stating the rule.</summary>
    public static string Validate(string? id) => IsValid(id) ? id! : throw new ValidationException(Rule);

    [GeneratedRegex("^[A-Za-z0-9:_-]{1,128}$")]
    private static partial Regex Pattern();
}

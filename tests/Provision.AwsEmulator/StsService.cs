using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Provision.Emulators.Aws;

/// <summary>STS AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity (query protocol, XML answers).</summary>
internal sealed partial class StsService(AwsEmulatorOptions options, EmulatorState state, TimeProvider time)
{
    public static readonly XNamespace Xmlns = "https://sts.amazonaws.com/doc/2011-06-15/";

    public XElement Execute(string action, IReadOnlyDictionary<string, string> form, SigV4Verifier.Caller? caller) => action switch
    {
        "AssumeRole" => AssumeRole(form),
        "AssumeRoleWithWebIdentity" => AssumeRoleWithWebIdentity(form),
        "GetCallerIdentity" => Wrap("GetCallerIdentity",
            new XElement(Xmlns + "Arn", caller!.Arn),
            new XElement(Xmlns + "UserId", caller.UserId),
            new XElement(Xmlns + "Account", options.AccountId)),
        _ => throw new EmulatorError(400, "InvalidAction", $"Could not find operation {action} for version 2011-06-15"),
    };

    private XElement AssumeRole(IReadOnlyDictionary<string, string> form)
    {
        var (roleArn, roleName, sessionName, duration) = Common(form);
        if (!roleArn.Contains($"::{options.AccountId}:", StringComparison.Ordinal))
        {
            throw new EmulatorError(403, "AccessDenied", $"User: arn:aws:iam::{options.AccountId}:user/emulator is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        }

        var tags = Tags(form);
        var session = Issue("AssumeRole", roleArn, roleName, sessionName, duration, tags);
        var result = Wrap("AssumeRole", session.Elements.ToArray<object>());
        if (tags.Count > 0)
        {
            result.Element(Xmlns + "AssumeRoleResult")!.Add(new XElement(Xmlns + "PackedPolicySize", 2 * tags.Count));
        }

        return result;
    }

    private XElement AssumeRoleWithWebIdentity(IReadOnlyDictionary<string, string> form)
    {
        var (roleArn, roleName, sessionName, duration) = Common(form);
        var token = form.GetValueOrDefault("WebIdentityToken") ?? throw Validation("webIdentityToken", "Member must not be null");
        var claims = WebIdentity.Validate(token, roleArn, state, options.AccountId, time.GetUtcNow());
        var session = Issue("AssumeRoleWithWebIdentity", roleArn, roleName, sessionName, duration, new Dictionary<string, string>());
        return Wrap("AssumeRoleWithWebIdentity",
            [
                .. session.Elements,
                new XElement(Xmlns + "SubjectFromWebIdentityToken", claims.Subject),
                new XElement(Xmlns + "Audience", claims.Audience),
                new XElement(Xmlns + "Provider", claims.Provider.Arn(options.AccountId)),
            ]);
    }

    private (string RoleArn, string RoleName, string SessionName, int Duration) Common(IReadOnlyDictionary<string, string> form)
    {
        var roleArn = form.GetValueOrDefault("RoleArn") ?? throw Validation("roleArn", "Member must not be null");
        var match = RoleArnPattern().Match(roleArn);
        if (!match.Success)
        {
            throw new EmulatorError(400, "ValidationError", $"{roleArn} is invalid");
        }

        var sessionName = form.GetValueOrDefault("RoleSessionName") ?? throw Validation("roleSessionName", "Member must not be null");
        if (!SessionNamePattern().IsMatch(sessionName))
        {
            throw Validation("roleSessionName", "Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64");
        }

        var duration = 3600;
        if (form.TryGetValue("DurationSeconds", out var text) && (!int.TryParse(text, CultureInfo.InvariantCulture, out duration) || duration is < 900 or > 43200))
        {
            throw Validation("durationSeconds", "Member must have value between 900 and 43200");
        }

        return (roleArn, match.Groups["name"].Value, sessionName, duration);
    }

    private static Dictionary<string, string> Tags(IReadOnlyDictionary<string, string> form)
    {
        var tags = new Dictionary<string, string>();
        for (var i = 1; form.TryGetValue($"Tags.member.{i}.Key", out var key); i++)
        {
            var value = form.GetValueOrDefault($"Tags.member.{i}.Value") ?? throw Validation($"tags.{i}.member.value", "Member must not be null");
            if (!TagPattern().IsMatch(key) || key.Length > 128 || !TagValuePattern().IsMatch(value) || value.Length > 256)
            {
                throw Validation($"tags.{i}.member", "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
            }

            if (!tags.TryAdd(key, value))
            {
                throw new EmulatorError(400, "InvalidParameterValue", $"Duplicate tag keys found. Please note that Tag keys are case insensitive: {key}");
            }
        }

        return tags.Count <= 50 ? tags : throw Validation("tags", "Member must have length less than or equal to 50");
    }

    private (AssumedRoleSession Session, List<XElement> Elements) Issue(
        string operation, string roleArn, string roleName, string sessionName, int duration, IReadOnlyDictionary<string, string> tags)
    {
        var accessKeyId = "ASIA" + RandomText(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        var secret = RandomText(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        var sessionToken = "FwoGZXIvYXdzE" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(96));
        var expiration = time.GetUtcNow().AddSeconds(duration);
        var roleId = "AROA" + RandomText(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        var assumedArn = $"arn:aws:sts::{options.AccountId}:assumed-role/{roleName}/{sessionName}";
        state.TemporaryCredentials[accessKeyId] = new TemporaryCredentials(secret, sessionToken, expiration, assumedArn, $"{roleId}:{sessionName}");
        var session = new AssumedRoleSession(operation, roleArn, sessionName, duration, tags, accessKeyId, expiration);
        state.Sessions.Enqueue(session);
        return (session,
        [
            new XElement(Xmlns + "AssumedRoleUser",
                new XElement(Xmlns + "AssumedRoleId", $"{roleId}:{sessionName}"),
                new XElement(Xmlns + "Arn", assumedArn)),
            new XElement(Xmlns + "Credentials",
                new XElement(Xmlns + "AccessKeyId", accessKeyId),
                new XElement(Xmlns + "SecretAccessKey", secret),
                new XElement(Xmlns + "SessionToken", sessionToken),
                new XElement(Xmlns + "Expiration", expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))),
        ]);
    }

    public static XElement Wrap(string action, params object[] result) =>
        new(Xmlns + $"{action}Response",
            new XElement(Xmlns + $"{action}Result", result),
            new XElement(Xmlns + "ResponseMetadata", new XElement(Xmlns + "RequestId", Guid.NewGuid().ToString())));

    public static XElement Error(EmulatorError error, string requestId) =>
        new(Xmlns + "ErrorResponse",
            new XElement(Xmlns + "Error",
                new XElement(Xmlns + "Type", error.Status >= 500 ? "Receiver" : "Sender"),
                new XElement(Xmlns + "Code", error.Code),
                new XElement(Xmlns + "Message", error.Message)),
            new XElement(Xmlns + "RequestId", requestId));

    private static EmulatorError Validation(string member, string constraint) =>
        new(400, "ValidationError", $"1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}");

    private static string RandomText(int length, string alphabet)
    {
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]);
        }

        return text.ToString();
    }

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::\d{12}:role/(?:[\w+=,.@-]+/)*(?<name>[\w+=,.@-]{1,64})$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$")]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")]
    private static partial Regex TagValuePattern();
}

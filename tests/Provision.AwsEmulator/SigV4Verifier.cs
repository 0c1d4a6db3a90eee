using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Provision.Emulators.Aws;

/// <summary>Checks AWS Signature Version 4 (Authorization header form) the way AWS services do.</summary>
internal sealed partial class SigV4Verifier(AwsEmulatorOptions options, EmulatorState state, TimeProvider time)
{
    internal sealed record Caller(string AccessKeyId, string Arn, string UserId);

    /// <summary>Returns the caller, or throws an <see cref="EmulatorError"/> with the reason AWS would give.</summary>
    public Caller Verify(HttpRequest request, string rawPath, string rawQuery, byte[] body, string expectedService, bool queryProtocol)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(authorization))
        {
            throw queryProtocol
                ? new EmulatorError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
                : new EmulatorError(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        var match = AuthorizationPattern().Match(authorization);
        if (!match.Success)
        {
            throw Incomplete(queryProtocol, "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        }

        var accessKeyId = match.Groups["key"].Value;
        var date = match.Groups["date"].Value;
        var region = match.Groups["region"].Value;
        var service = match.Groups["service"].Value;
        var signedHeaders = match.Groups["headers"].Value.Split(';');
        var signature = match.Groups["signature"].Value;

        var (secret, caller) = Lookup(request, accessKeyId, queryProtocol);
        if (region != options.Region)
        {
            throw Invalid(queryProtocol, $"Credential should be scoped to a valid region, not '{region}'. ");
        }

        if (service != expectedService)
        {
            throw Invalid(queryProtocol, $"Credential should be scoped to correct service: '{expectedService}'. ");
        }

        var amzDate = request.Headers["x-amz-date"].ToString();
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt)
            || !amzDate.StartsWith(date, StringComparison.Ordinal))
        {
            throw Incomplete(queryProtocol, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }

        if ((time.GetUtcNow() - signedAt).Duration() > options.MaxClockSkew)
        {
            throw Invalid(queryProtocol, $"Signature expired: {amzDate} is now earlier or later than the allowed clock skew.");
        }

        if (!signedHeaders.Contains("host"))
        {
            throw Invalid(queryProtocol, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
        }

        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var claimedHash = request.Headers["x-amz-content-sha256"].ToString();
        if (claimedHash.Length > 0 && !string.Equals(claimedHash, payloadHash, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(queryProtocol, "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        var canonicalRequest = string.Join('\n',
            request.Method,
            CanonicalPath(rawPath),
            CanonicalQuery(rawQuery),
            CanonicalHeaders(request, signedHeaders),
            string.Join(';', signedHeaders),
            payloadHash);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var expected = Convert.ToHexStringLower(Hmac(key, stringToSign));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            throw Invalid(queryProtocol, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        }

        return caller;
    }

    private (string Secret, Caller Caller) Lookup(HttpRequest request, string accessKeyId, bool queryProtocol)
    {
        if (accessKeyId == options.AccessKeyId)
        {
            return (options.SecretAccessKey, new Caller(accessKeyId, $"arn:aws:iam::{options.AccountId}:user/emulator", "AIDAEMULATOR00000000"));
        }

        if (state.TemporaryCredentials.TryGetValue(accessKeyId, out var temporary))
        {
            if (request.Headers["x-amz-security-token"].ToString() != temporary.SessionToken)
            {
                throw Unrecognized(queryProtocol);
            }

            if (temporary.Expiration <= time.GetUtcNow())
            {
                throw queryProtocol
                    ? new EmulatorError(400, "ExpiredToken", "The security token included in the request is expired")
                    : new EmulatorError(403, "ExpiredTokenException", "The security token included in the request is expired");
            }

            return (temporary.SecretAccessKey, new Caller(accessKeyId, temporary.CallerArn, temporary.UserId));
        }

        throw Unrecognized(queryProtocol);
    }

    private static EmulatorError Unrecognized(bool queryProtocol) => queryProtocol
        ? new EmulatorError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        : new EmulatorError(403, "UnrecognizedClientException", "The security token included in the request is invalid.");

    private static EmulatorError Invalid(bool queryProtocol, string message) =>
        new(403, queryProtocol ? "SignatureDoesNotMatch" : "InvalidSignatureException", message);

    private static EmulatorError Incomplete(bool queryProtocol, string message) =>
        new(400, queryProtocol ? "IncompleteSignature" : "IncompleteSignatureException", message);

    /// <summary>Services other than S3 sign the path as sent, URI-encoded once more.</summary>
    internal static string CanonicalPath(string rawPath) =>
        rawPath.Length == 0 ? "/" : Encode(rawPath, keepSlash: true);

    internal static string CanonicalQuery(string rawQuery)
    {
        var query = rawQuery.TrimStart('?');
        if (query.Length == 0)
        {
            return "";
        }

        return string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var at = pair.IndexOf('=');
                var name = Decode(at < 0 ? pair : pair[..at]);
                var value = at < 0 ? "" : Decode(pair[(at + 1)..]);
                return (Name: Encode(name, false), Value: Encode(value, false));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
    }

    private static string CanonicalHeaders(HttpRequest request, string[] signedHeaders)
    {
        var text = new StringBuilder();
        foreach (var name in signedHeaders)
        {
            var values = name == "host" ? request.Host.Value ?? "" : string.Join(',', request.Headers[name].Select(v => Collapse(v ?? "")));
            text.Append(name).Append(':').Append(Collapse(values)).Append('\n');
        }

        return text.ToString();
    }

    private static string Collapse(string value) => WhitespaceRun().Replace(value.Trim(), " ");

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    private static string Encode(string value, bool keepSlash)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                text.Append(c);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    [GeneratedRegex(@"^AWS4-HMAC-SHA256\s+Credential=(?<key>[^/,\s]+)/(?<date>\d{8})/(?<region>[^/,\s]+)/(?<service>[^/,\s]+)/aws4_request,\s*SignedHeaders=(?<headers>[a-z0-9;\-]+),\s*Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();
}

/// <summary>An AWS error answer: status, error code and message (plus extra members such as resourceId).</summary>
internal sealed class EmulatorError(int status, string code, string message, IReadOnlyDictionary<string, string>? extra = null)
    : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public IReadOnlyDictionary<string, string> Extra { get; } = extra ?? new Dictionary<string, string>();
}

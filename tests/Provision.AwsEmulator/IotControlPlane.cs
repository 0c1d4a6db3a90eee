using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Provision.Emulators.Aws;

internal sealed record IotCall(string Operation, IReadOnlyDictionary<string, string> Route, IQueryCollection Query, IHeaderDictionary Headers, JsonObject Body);

/// <summary>The AWS IoT control-plane operations Provision uses, with AWS's validation and errors.</summary>
internal sealed partial class IotControlPlane(AwsEmulatorOptions options, EmulatorState state, CertificateAuthority ca, RsaKeyPool keys, TimeProvider time)
{
    private const int MaxPoliciesPerTarget = 10;

    private static readonly (string Method, Regex Path, string Operation)[] Routes =
    [
        ("GET", Route("/endpoint"), "DescribeEndpoint"),
        ("POST", Route("/things/{thingName}"), "CreateThing"),
        ("GET", Route("/things/{thingName}"), "DescribeThing"),
        ("DELETE", Route("/things/{thingName}"), "DeleteThing"),
        ("GET", Route("/things/{thingName}/principals"), "ListThingPrincipals"),
        ("PUT", Route("/things/{thingName}/principals"), "AttachThingPrincipal"),
        ("DELETE", Route("/things/{thingName}/principals"), "DetachThingPrincipal"),
        ("POST", Route("/keys-and-certificate"), "CreateKeysAndCertificate"),
        ("POST", Route("/certificates"), "CreateCertificateFromCsr"),
        ("GET", Route("/certificates/{certificateId}"), "DescribeCertificate"),
        ("PUT", Route("/certificates/{certificateId}"), "UpdateCertificate"),
        ("DELETE", Route("/certificates/{certificateId}"), "DeleteCertificate"),
        ("PUT", Route("/target-policies/{policyName}"), "AttachPolicy"),
        ("POST", Route("/target-policies/{policyName}"), "DetachPolicy"),
        ("GET", Route("/policies/{policyName}"), "GetPolicy"),
        ("POST", Route("/policies/{policyName}"), "CreatePolicy"),
        ("PUT", Route("/thing-groups/addThingToThingGroup"), "AddThingToThingGroup"),
        ("POST", Route("/thing-groups/{thingGroupName}"), "CreateThingGroup"),
    ];

    private string Arn(string resource) => $"arn:aws:iot:{options.Region}:{options.AccountId}:{resource}";

    /// <summary>Finds the operation for a method and raw (still encoded) path.</summary>
    public static (string Operation, Dictionary<string, string> Route)? Match(string method, string rawPath)
    {
        foreach (var (routeMethod, pattern, operation) in Routes)
        {
            var match = pattern.Match(rawPath);
            if (routeMethod == method && match.Success)
            {
                var values = pattern.GetGroupNames().Where(g => !char.IsDigit(g[0]))
                    .ToDictionary(g => g, g => Uri.UnescapeDataString(match.Groups[g].Value));
                return (operation, values);
            }
        }

        return null;
    }

    public JsonObject Execute(IotCall call) => call.Operation switch
    {
        "DescribeEndpoint" => DescribeEndpoint(call),
        "CreateThing" => CreateThing(call),
        "DescribeThing" => DescribeThing(call),
        "DeleteThing" => DeleteThing(call),
        "ListThingPrincipals" => ListThingPrincipals(call),
        "AttachThingPrincipal" => AttachThingPrincipal(call),
        "DetachThingPrincipal" => DetachThingPrincipal(call),
        "CreateKeysAndCertificate" => CreateKeysAndCertificate(call),
        "CreateCertificateFromCsr" => CreateCertificateFromCsr(call),
        "DescribeCertificate" => DescribeCertificate(call),
        "UpdateCertificate" => UpdateCertificate(call),
        "DeleteCertificate" => DeleteCertificate(call),
        "AttachPolicy" => AttachPolicy(call),
        "DetachPolicy" => DetachPolicy(call),
        "GetPolicy" => GetPolicy(call),
        "CreatePolicy" => CreatePolicy(call),
        "AddThingToThingGroup" => AddThingToThingGroup(call),
        "CreateThingGroup" => CreateThingGroup(call),
        _ => throw new EmulatorError(404, "UnknownOperationException", "Unknown operation"),
    };

    private JsonObject DescribeEndpoint(IotCall call)
    {
        var type = call.Query["endpointType"].ToString();
        return type switch
        {
            "iot:Data-ATS" => new JsonObject { ["endpointAddress"] = DataEndpoint },
            "" or "iot:Data" => new JsonObject { ["endpointAddress"] = DataEndpoint.Replace("-ats.", ".", StringComparison.Ordinal) },
            "iot:CredentialProvider" => new JsonObject { ["endpointAddress"] = $"c1a2b3c4d5e6f7.credentials.iot.{options.Region}.amazonaws.com" },
            "iot:Jobs" => new JsonObject { ["endpointAddress"] = $"j1a2b3c4d5e6f7.jobs.iot.{options.Region}.amazonaws.com" },
            _ => throw InvalidRequest($"Invalid endpoint type: {type}"),
        };
    }

    private string DataEndpoint => options.DataEndpointAddress ?? $"a1b2c3d4e5f6g7-ats.iot.{options.Region}.amazonaws.com";

    private JsonObject CreateThing(IotCall call)
    {
        var name = ThingName(call.Route["thingName"]);
        var thingType = OptionalString(call.Body, "thingTypeName");
        if (thingType is not null && !NamePattern().IsMatch(thingType))
        {
            throw InvalidRequest($"1 validation error detected: Value '{thingType}' at 'thingTypeName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+");
        }

        var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (call.Body["attributePayload"]?["attributes"] is JsonObject map)
        {
            foreach (var (key, value) in map)
            {
                var text = value?.GetValue<string>() ?? "";
                if (!AttributeNamePattern().IsMatch(key) || !AttributeValuePattern().IsMatch(text))
                {
                    throw InvalidRequest($"1 validation error detected: Value at 'attributePayload.attributes' failed to satisfy constraint for key '{key}'");
                }

                attributes[key] = text;
            }
        }

        lock (state.Gate)
        {
            if (state.Things.TryGetValue(name, out var existing))
            {
                // AWS answers a repeat with the same configuration as a success.
                if (existing.ThingTypeName != thingType || !existing.Attributes.OrderBy(a => a.Key).SequenceEqual(attributes))
                {
                    throw new EmulatorError(409, "ResourceAlreadyExistsException", $"Thing {name} already exists in account with different attributes",
                        new Dictionary<string, string> { ["resourceId"] = existing.Id, ["resourceArn"] = existing.Arn });
                }

                return ThingReference(existing);
            }

            var thing = new EmulatedThing(name, Arn($"thing/{name}"), Guid.NewGuid().ToString(), thingType, attributes);
            state.Things[name] = thing;
            return ThingReference(thing);
        }
    }

    private static JsonObject ThingReference(EmulatedThing thing) =>
        new() { ["thingName"] = thing.Name, ["thingArn"] = thing.Arn, ["thingId"] = thing.Id };

    private JsonObject DescribeThing(IotCall call)
    {
        var thing = Thing(call.Route["thingName"]);
        var attributes = new JsonObject();
        foreach (var (key, value) in thing.Attributes)
        {
            attributes[key] = value;
        }

        var result = new JsonObject
        {
            ["defaultClientId"] = thing.Name,
            ["thingName"] = thing.Name,
            ["thingId"] = thing.Id,
            ["thingArn"] = thing.Arn,
            ["attributes"] = attributes,
            ["version"] = thing.Version,
        };
        if (thing.ThingTypeName is not null)
        {
            result["thingTypeName"] = thing.ThingTypeName;
        }

        return result;
    }

    private JsonObject DeleteThing(IotCall call)
    {
        var name = ThingName(call.Route["thingName"]);
        lock (state.Gate)
        {
            // AWS answers success for a thing that does not exist.
            if (!state.Things.TryGetValue(name, out var thing))
            {
                return [];
            }

            if (call.Query.TryGetValue("expectedVersion", out var version) && version.ToString() != thing.Version.ToString())
            {
                throw new EmulatorError(409, "VersionConflictException", $"The version for thing {name} does not match the expected version.");
            }

            if (thing.Principals.Count > 0)
            {
                throw InvalidRequest($"Cannot delete thing {name}. It is still attached to one or more principals");
            }

            state.Things.TryRemove(name, out _);
            return [];
        }
    }

    private JsonObject ListThingPrincipals(IotCall call)
    {
        var thing = Thing(call.Route["thingName"]);
        var size = options.DefaultPageSize;
        if (call.Query.TryGetValue("maxResults", out var max))
        {
            if (!int.TryParse(max, out size) || size is < 1 or > 250)
            {
                throw InvalidRequest("1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 250");
            }
        }

        var start = 0;
        if (call.Query.TryGetValue("nextToken", out var token))
        {
            if (!int.TryParse(token, out start) || start < 0)
            {
                throw InvalidRequest("The nextToken is not valid");
            }
        }

        List<string> page;
        int total;
        lock (state.Gate)
        {
            total = thing.Principals.Count;
            page = [.. thing.Principals.Skip(start).Take(size)];
        }

        var result = new JsonObject { ["principals"] = new JsonArray([.. page.Select(p => (JsonNode)p)]) };
        if (start + size < total)
        {
            result["nextToken"] = (start + size).ToString();
        }

        return result;
    }

    private JsonObject AttachThingPrincipal(IotCall call)
    {
        var principal = Principal(call);
        lock (state.Gate)
        {
            var thing = Thing(call.Route["thingName"]);
            RequireCertificateArn(principal);
            if (!thing.Principals.Contains(principal))
            {
                thing.Principals.Add(principal);
            }
        }

        return [];
    }

    private JsonObject DetachThingPrincipal(IotCall call)
    {
        var principal = Principal(call);
        lock (state.Gate)
        {
            var thing = Thing(call.Route["thingName"]);
            thing.Principals.Remove(principal);
        }

        return [];
    }

    private static string Principal(IotCall call)
    {
        var principal = call.Headers["x-amzn-principal"].ToString();
        return principal.Length > 0 ? principal : throw InvalidRequest("1 validation error detected: Value null at 'principal' failed to satisfy constraint: Member must not be null");
    }

    private JsonObject CreateKeysAndCertificate(IotCall call)
    {
        using var key = keys.Take();
        var subjectKey = PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        using var certificate = ca.Issue(new X500DistinguishedName("CN=AWS IoT Certificate"), subjectKey);
        var result = StoreCertificate(certificate, SetAsActive(call));
        result["keyPair"] = new JsonObject
        {
            ["PublicKey"] = key.ExportSubjectPublicKeyInfoPem(),
            ["PrivateKey"] = key.ExportRSAPrivateKeyPem(),
        };
        return result;
    }

    private JsonObject CreateCertificateFromCsr(IotCall call)
    {
        var csr = OptionalString(call.Body, "certificateSigningRequest")
            ?? throw InvalidRequest("1 validation error detected: Value null at 'certificateSigningRequest' failed to satisfy constraint: Member must not be null");
        CertificateRequest request;
        try
        {
            // Also checks the CSR's own signature.
            request = CertificateRequest.LoadSigningRequestPem(csr, HashAlgorithmName.SHA256);
        }
        catch (Exception e) when (e is CryptographicException or NotSupportedException or ArgumentException)
        {
            throw InvalidRequest("The certificate signing request is not valid.");
        }
        if (!SupportedKey(request.PublicKey))
        {
            throw InvalidRequest("The certificate signing request's key is not supported: use RSA of 2048 bits or more, or EC P-256, P-384 or P-521.");
        }

        using var certificate = ca.Issue(request.SubjectName, request.PublicKey);
        return StoreCertificate(certificate, SetAsActive(call));
    }

    // AWS IoT's key rules for device certificates.
    private static bool SupportedKey(PublicKey key)
    {
        using var rsa = key.GetRSAPublicKey();
        if (rsa is not null)
        {
            return rsa.KeySize >= 2048;
        }
        using var ec = key.GetECDsaPublicKey();
        return ec?.ExportParameters(false).Curve.Oid.Value is "1.2.840.10045.3.1.7" or "1.3.132.0.34" or "1.3.132.0.35";
    }

    private JsonObject StoreCertificate(X509Certificate2 certificate, bool active)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
        var stored = new EmulatedCertificate(id, Arn($"cert/{id}"), certificate.ExportCertificatePem(), active ? CertificateStatus.ACTIVE : CertificateStatus.INACTIVE, time.GetUtcNow());
        state.Certificates[id] = stored;
        return new JsonObject { ["certificateArn"] = stored.Arn, ["certificateId"] = stored.Id, ["certificatePem"] = stored.Pem };
    }

    private static bool SetAsActive(IotCall call) =>
        call.Query.TryGetValue("setAsActive", out var value) && bool.TryParse(value, out var active) && active;

    private JsonObject DescribeCertificate(IotCall call)
    {
        var certificate = Certificate(call.Route["certificateId"]);
        return new JsonObject
        {
            ["certificateDescription"] = new JsonObject
            {
                ["certificateArn"] = certificate.Arn,
                ["certificateId"] = certificate.Id,
                ["caCertificateId"] = Convert.ToHexStringLower(SHA256.HashData(ca.Certificate.RawData)),
                ["status"] = certificate.Status.ToString(),
                ["certificatePem"] = certificate.Pem,
                ["ownedBy"] = options.AccountId,
                ["creationDate"] = certificate.Created.ToUnixTimeMilliseconds() / 1000.0,
                ["lastModifiedDate"] = certificate.LastModified.ToUnixTimeMilliseconds() / 1000.0,
                ["customerVersion"] = 1,
                ["generationId"] = Guid.NewGuid().ToString(),
                ["certificateMode"] = "DEFAULT",
            },
        };
    }

    private JsonObject UpdateCertificate(IotCall call)
    {
        var status = call.Query["newStatus"].ToString();
        if (!Enum.TryParse<CertificateStatus>(status, ignoreCase: false, out var newStatus))
        {
            throw InvalidRequest($"1 validation error detected: Value '{status}' at 'newStatus' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, INACTIVE, REVOKED, PENDING_TRANSFER, REGISTER_INACTIVE, PENDING_ACTIVATION]");
        }

        lock (state.Gate)
        {
            var certificate = Certificate(call.Route["certificateId"]);
            if (certificate.Status == CertificateStatus.REVOKED && newStatus != CertificateStatus.REVOKED)
            {
                throw new EmulatorError(406, "CertificateStateException", "Cannot update a revoked certificate.");
            }

            certificate.Status = newStatus;
            certificate.LastModified = time.GetUtcNow();
        }

        return [];
    }

    private JsonObject DeleteCertificate(IotCall call)
    {
        var force = call.Query.TryGetValue("forceDelete", out var value) && bool.TryParse(value, out var f) && f;
        lock (state.Gate)
        {
            var certificate = Certificate(call.Route["certificateId"]);
            if (certificate.Status == CertificateStatus.ACTIVE)
            {
                throw new EmulatorError(406, "CertificateStateException", "Certificate must be deactivated (not ACTIVE) before deletion.");
            }

            if (state.Things.Values.Any(t => t.Principals.Contains(certificate.Arn)))
            {
                throw new EmulatorError(409, "DeleteConflictException", "Things must be detached before deletion (arn: " + certificate.Arn + ")");
            }

            if (!force && state.PolicyAttachments.TryGetValue(certificate.Arn, out var policies) && policies.Count > 0)
            {
                throw new EmulatorError(409, "DeleteConflictException", "Certificate policies must be detached before deletion (arn: " + certificate.Arn + ")");
            }

            state.PolicyAttachments.TryRemove(certificate.Arn, out _);
            state.Certificates.TryRemove(certificate.Id, out _);
        }

        return [];
    }

    private JsonObject AttachPolicy(IotCall call)
    {
        var target = OptionalString(call.Body, "target")
            ?? throw InvalidRequest("1 validation error detected: Value null at 'target' failed to satisfy constraint: Member must not be null");
        lock (state.Gate)
        {
            var policy = Policy(call.Route["policyName"]);
            RequireCertificateArn(target);
            var attached = state.PolicyAttachments.GetOrAdd(target, _ => []);
            if (!attached.Contains(policy.Name) && attached.Count >= MaxPoliciesPerTarget)
            {
                throw new EmulatorError(410, "LimitExceededException", $"The policy {policy.Name} cannot be attached: the target already has {MaxPoliciesPerTarget} policies.");
            }

            attached.Add(policy.Name);
        }

        return [];
    }

    private JsonObject DetachPolicy(IotCall call)
    {
        var target = OptionalString(call.Body, "target")
            ?? throw InvalidRequest("1 validation error detected: Value null at 'target' failed to satisfy constraint: Member must not be null");
        lock (state.Gate)
        {
            var name = PolicyName(call.Route["policyName"]);
            if (state.PolicyAttachments.TryGetValue(target, out var attached))
            {
                attached.Remove(name);
            }
        }

        return [];
    }

    private JsonObject GetPolicy(IotCall call)
    {
        var policy = Policy(call.Route["policyName"]);
        return new JsonObject
        {
            ["policyName"] = policy.Name,
            ["policyArn"] = policy.Arn,
            ["policyDocument"] = policy.Document,
            ["defaultVersionId"] = "1",
            ["creationDate"] = policy.Created.ToUnixTimeMilliseconds() / 1000.0,
            ["lastModifiedDate"] = policy.Created.ToUnixTimeMilliseconds() / 1000.0,
            ["generationId"] = "1",
        };
    }

    private JsonObject CreatePolicy(IotCall call)
    {
        var name = PolicyName(call.Route["policyName"]);
        var document = OptionalString(call.Body, "policyDocument")
            ?? throw InvalidRequest("1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null");
        try
        {
            using var parsed = JsonDocument.Parse(document);
            if (parsed.RootElement.ValueKind != JsonValueKind.Object || !parsed.RootElement.TryGetProperty("Statement", out _))
            {
                throw new JsonException("no Statement");
            }
        }
        catch (JsonException)
        {
            throw new EmulatorError(400, "MalformedPolicyException", "Policy document is malformed");
        }

        lock (state.Gate)
        {
            if (state.Policies.TryGetValue(name, out var existing))
            {
                throw new EmulatorError(409, "ResourceAlreadyExistsException", $"Policy {name} already exists",
                    new Dictionary<string, string> { ["resourceId"] = existing.Name, ["resourceArn"] = existing.Arn });
            }

            var policy = new EmulatedPolicy(name, Arn($"policy/{name}"), document, time.GetUtcNow());
            state.Policies[name] = policy;
            return new JsonObject { ["policyName"] = name, ["policyArn"] = policy.Arn, ["policyDocument"] = document, ["policyVersionId"] = "1" };
        }
    }

    private JsonObject AddThingToThingGroup(IotCall call)
    {
        var groupName = OptionalString(call.Body, "thingGroupName");
        var thingName = OptionalString(call.Body, "thingName");
        if (groupName is null || thingName is null)
        {
            throw InvalidRequest("Either thingGroupName or thingGroupArn, and either thingName or thingArn, must be given");
        }

        lock (state.Gate)
        {
            if (!state.ThingGroups.ContainsKey(groupName))
            {
                throw new EmulatorError(404, "ResourceNotFoundException", $"Thing group {groupName} cannot be found.");
            }

            Thing(thingName).Groups.Add(groupName);
        }

        return [];
    }

    private JsonObject CreateThingGroup(IotCall call)
    {
        var name = ThingName(call.Route["thingGroupName"]);
        var arn = state.ThingGroups.GetOrAdd(name, n => Arn($"thinggroup/{n}"));
        return new JsonObject { ["thingGroupName"] = name, ["thingGroupArn"] = arn, ["thingGroupId"] = Guid.NewGuid().ToString() };
    }

    private static string ThingName(string name) => NamePattern().IsMatch(name) && name.Length <= 128
        ? name
        : throw InvalidRequest($"1 validation error detected: Value '{name}' at 'thingName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+");

    private static string PolicyName(string name) => PolicyNamePattern().IsMatch(name) && name.Length <= 128
        ? name
        : throw InvalidRequest($"1 validation error detected: Value '{name}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");

    private EmulatedThing Thing(string name) => state.Things.TryGetValue(ThingName(name), out var thing)
        ? thing
        : throw new EmulatorError(404, "ResourceNotFoundException", $"Thing {name} cannot be found.");

    private EmulatedPolicy Policy(string name) => state.Policies.TryGetValue(PolicyName(name), out var policy)
        ? policy
        : throw new EmulatorError(404, "ResourceNotFoundException", $"Policy {name} cannot be found.");

    private EmulatedCertificate Certificate(string id)
    {
        if (!CertificateIdPattern().IsMatch(id))
        {
            throw InvalidRequest($"1 validation error detected: Value '{id}' at 'certificateId' failed to satisfy constraint: Member must have length greater than or equal to 64");
        }

        return state.Certificates.TryGetValue(id.ToLowerInvariant(), out var certificate)
            ? certificate
            : throw new EmulatorError(404, "ResourceNotFoundException", $"The certificate {id} cannot be found.");
    }

    private void RequireCertificateArn(string arn)
    {
        var prefix = Arn("cert/");
        if (!arn.StartsWith(prefix, StringComparison.Ordinal) || !state.Certificates.ContainsKey(arn[prefix.Length..]))
        {
            throw new EmulatorError(404, "ResourceNotFoundException", $"The certificate given in the principal does not exist: {arn}");
        }
    }

    private static string? OptionalString(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static EmulatorError InvalidRequest(string message) => new(400, "InvalidRequestException", message);

    private static Regex Route(string template) =>
        new("^" + Regex.Replace(template, @"\{(\w+)\}", "(?<$1>[^/]+)") + "$", RegexOptions.CultureInvariant);

    [GeneratedRegex("^[a-zA-Z0-9:_-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[\w+=,.@-]+$")]
    private static partial Regex PolicyNamePattern();

    [GeneratedRegex("^[a-zA-Z0-9_.,@/:#-]{1,128}$")]
    private static partial Regex AttributeNamePattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_.,@/:#=\[\]-]{0,800}$")]
    private static partial Regex AttributeValuePattern();

    [GeneratedRegex("^(0x)?[a-fA-F0-9]{64}$")]
    private static partial Regex CertificateIdPattern();
}

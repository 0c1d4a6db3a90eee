using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Amazon.Runtime;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace Provision.Core.Aws;

/// <summary>
/// AWS IoT over the REST-JSON wire protocol, signed with SigV4 by the named clients' primary handler.
/// The only class to replace when AWSSDK.IoT becomes available.
/// </summary>
internal sealed class IotHttpClient(
    IHttpClientFactory httpClients,
    IOptions<AwsOptions> awsOptions,
    IOptions<IotOptions> iotOptions,
    ILogger<IotHttpClient> log) : IIotClient
{
    internal const string ControlPlaneClientName = "Provision.Aws.Iot";
    internal const string DataPlaneClientName = "Provision.Aws.IotData";

    private readonly SemaphoreSlim endpointLock = new(1, 1);
    private readonly ConcurrentDictionary<string, IotPolicy> ensuredPolicies = new(StringComparer.Ordinal);
    private string? dataEndpoint;

    private AwsOptions Aws => awsOptions.Value;

    private IotOptions Iot => iotOptions.Value;

    public async Task<string> DescribeDataEndpointAsync(CancellationToken cancellationToken = default)
    {
        if (dataEndpoint is { } cached)
        {
            return cached;
        }

        await endpointLock.WaitAsync(cancellationToken);
        try
        {
            if (dataEndpoint is null)
            {
                var result = await SendAsync(IotOperation.DescribeEndpoint, HttpMethod.Get, "/endpoint?endpointType=iot%3AData-ATS", null, cancellationToken);
                dataEndpoint = Required(result, "endpointAddress");
            }

            return dataEndpoint;
        }
        finally
        {
            endpointLock.Release();
        }
    }

    public async Task<IotThing> CreateThingAsync(IotThingSpec spec, CancellationToken cancellationToken = default)
    {
        var attributes = new Dictionary<string, string> { ["productId"] = spec.ProductId, ["accountId"] = spec.AccountId };
        var thingType = spec.ThingTypeName ?? Iot.ThingType;
        var body = new JsonObject { ["attributePayload"] = new JsonObject { ["attributes"] = ToJson(attributes) } };
        if (!string.IsNullOrEmpty(thingType))
        {
            body["thingTypeName"] = thingType;
        }

        var result = await SendAsync(IotOperation.CreateThing, HttpMethod.Post, $"/things/{Escape(spec.ThingName)}", body, cancellationToken);
        log.LogInformation("Created IoT thing {ThingName}", spec.ThingName);
        return new IotThing(Required(result, "thingName"), Required(result, "thingArn"), Required(result, "thingId"), thingType, attributes);
    }

    public async Task<IotThing> DescribeThingAsync(string thingName, CancellationToken cancellationToken = default)
    {
        var result = await SendAsync(IotOperation.DescribeThing, HttpMethod.Get, $"/things/{Escape(thingName)}", null, cancellationToken);
        var attributes = result.TryGetProperty("attributes", out var map) && map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
            : [];
        return new IotThing(
            Required(result, "thingName"),
            Required(result, "thingArn"),
            Required(result, "thingId"),
            Optional(result, "thingTypeName"),
            attributes);
    }

    public async Task DeleteThingAsync(string thingName, CancellationToken cancellationToken = default)
    {
        await SendAsync(IotOperation.DeleteThing, HttpMethod.Delete, $"/things/{Escape(thingName)}", null, cancellationToken);
        log.LogInformation("Deleted IoT thing {ThingName}", thingName);
    }

    public async Task<IotCertificate> CreateKeysAndCertificateAsync(bool setAsActive, CancellationToken cancellationToken = default)
    {
        var result = await SendAsync(IotOperation.CreateKeysAndCertificate, HttpMethod.Post, $"/keys-and-certificate?setAsActive={Flag(setAsActive)}", null, cancellationToken);
        var certificate = new IotCertificate(
            Required(result, "certificateId"),
            Required(result, "certificateArn"),
            Required(result, "certificatePem"),
            Required(result.GetProperty("keyPair"), "PrivateKey"));
        log.LogInformation("Created IoT certificate {CertificateId}", certificate.CertificateId);
        return certificate;
    }

    public async Task<IotCertificate> CreateCertificateFromCsrAsync(string csrPem, bool setAsActive, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["certificateSigningRequest"] = csrPem };
        var result = await SendAsync(IotOperation.CreateCertificateFromCsr, HttpMethod.Post, $"/certificates?setAsActive={Flag(setAsActive)}", body, cancellationToken);
        var certificate = new IotCertificate(Required(result, "certificateId"), Required(result, "certificateArn"), Required(result, "certificatePem"), null);
        log.LogInformation("Created IoT certificate {CertificateId} from a CSR", certificate.CertificateId);
        return certificate;
    }

    public async Task UpdateCertificateAsync(string certificateId, IotCertificateStatus newStatus, CancellationToken cancellationToken = default)
    {
        var status = newStatus.ToString().ToUpperInvariant();
        await SendAsync(IotOperation.UpdateCertificate, HttpMethod.Put, $"/certificates/{Escape(certificateId)}?newStatus={status}", null, cancellationToken);
        log.LogInformation("Set IoT certificate {CertificateId} to {Status}", certificateId, status);
    }

    public async Task DeleteCertificateAsync(string certificateId, bool forceDelete = false, CancellationToken cancellationToken = default)
    {
        await SendAsync(IotOperation.DeleteCertificate, HttpMethod.Delete, $"/certificates/{Escape(certificateId)}?forceDelete={Flag(forceDelete)}", null, cancellationToken);
        log.LogInformation("Deleted IoT certificate {CertificateId}", certificateId);
    }

    public Task AttachPolicyAsync(string policyName, string targetArn, CancellationToken cancellationToken = default) =>
        SendAsync(IotOperation.AttachPolicy, HttpMethod.Put, $"/target-policies/{Escape(policyName)}", new JsonObject { ["target"] = targetArn }, cancellationToken);

    public Task DetachPolicyAsync(string policyName, string targetArn, CancellationToken cancellationToken = default) =>
        SendAsync(IotOperation.DetachPolicy, HttpMethod.Post, $"/target-policies/{Escape(policyName)}", new JsonObject { ["target"] = targetArn }, cancellationToken);

    public Task AttachThingPrincipalAsync(string thingName, string principalArn, CancellationToken cancellationToken = default) =>
        SendAsync(IotOperation.AttachThingPrincipal, HttpMethod.Put, $"/things/{Escape(thingName)}/principals", null, cancellationToken, principalArn);

    public Task DetachThingPrincipalAsync(string thingName, string principalArn, CancellationToken cancellationToken = default) =>
        SendAsync(IotOperation.DetachThingPrincipal, HttpMethod.Delete, $"/things/{Escape(thingName)}/principals", null, cancellationToken, principalArn);

    public async Task<IReadOnlyList<string>> ListThingPrincipalsAsync(string thingName, CancellationToken cancellationToken = default)
    {
        var principals = new List<string>();
        string? nextToken = null;
        do
        {
            var path = $"/things/{Escape(thingName)}/principals";
            if (nextToken is not null)
            {
                path += $"?nextToken={Escape(nextToken)}";
            }

            var page = await SendAsync(IotOperation.ListThingPrincipals, HttpMethod.Get, path, null, cancellationToken);
            if (page.TryGetProperty("principals", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                principals.AddRange(list.EnumerateArray().Select(p => p.GetString()!));
            }

            nextToken = Optional(page, "nextToken");
        }
        while (!string.IsNullOrEmpty(nextToken));

        return principals;
    }

    public async Task<IotPolicy> EnsurePolicyAsync(string? policyName = null, CancellationToken cancellationToken = default)
    {
        var name = policyName ?? Iot.PolicyName;

        // GetPolicy allows only 10 calls per second per account: once a policy is known to exist, it is not asked again.
        if (ensuredPolicies.TryGetValue(name, out var known))
        {
            return known with { Created = false };
        }

        var policy = await GetOrCreatePolicyAsync(name, cancellationToken);
        ensuredPolicies[name] = policy;
        return policy;
    }

    private async Task<IotPolicy> GetOrCreatePolicyAsync(string name, CancellationToken cancellationToken)
    {
        var document = RenderPolicy(Iot.EffectivePolicyDocument, Aws);
        try
        {
            var existing = await GetPolicyAsync(name, cancellationToken);
            if (!SameDocument(existing.PolicyDocument, document))
            {
                log.LogWarning(
                    "IoT policy {PolicyName} differs from the configured policy document; devices keep the existing permissions until the policy gets a new default version",
                    name);
            }
            return existing;
        }
        catch (AwsServiceException e) when (e.Kind == AwsErrorKind.NotFound)
        {
            log.LogInformation("IoT policy {PolicyName} does not exist; creating it", name);
        }

        var body = new JsonObject { ["policyDocument"] = document };
        try
        {
            var created = await SendAsync(IotOperation.CreatePolicy, HttpMethod.Post, $"/policies/{Escape(name)}", body, cancellationToken);
            return new IotPolicy(Required(created, "policyName"), Required(created, "policyArn"), Required(created, "policyDocument"), Created: true);
        }
        catch (AwsServiceException e) when (e.Kind == AwsErrorKind.AlreadyExists)
        {
            // Another instance created it first.
            return await GetPolicyAsync(name, cancellationToken);
        }
    }

    public async Task AddThingToThingGroupAsync(string thingName, string thingGroupName, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["thingGroupName"] = thingGroupName, ["thingName"] = thingName };
        await SendAsync(IotOperation.AddThingToThingGroup, HttpMethod.Put, "/thing-groups/addThingToThingGroup", body, cancellationToken);
        log.LogInformation("Added IoT thing {ThingName} to group {ThingGroup}", thingName, thingGroupName);
    }

    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, int qos = 0, bool retain = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(qos is 0 or 1, true, nameof(qos));
        var baseUri = Aws.IotDataEndpoint ?? "https://" + await DescribeDataEndpointAsync(cancellationToken);
        var uri = $"{baseUri.TrimEnd('/')}/topics/{Escape(topic)}?qos={qos}&retain={Flag(retain)}";
        var content = new ByteArrayContent(payload.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await SendAsync(IotOperation.Publish, HttpMethod.Post, uri, content, DataPlaneClientName, null, cancellationToken);
    }

    private static bool SameDocument(string existing, string configured)
    {
        try
        {
            return JsonNode.DeepEquals(JsonNode.Parse(existing), JsonNode.Parse(configured));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    internal static string RenderPolicy(string template, AwsOptions aws) => template
        .Replace("${partition}", Partition(aws.Region), StringComparison.Ordinal)
        .Replace("${region}", aws.Region, StringComparison.Ordinal)
        .Replace("${account}", aws.AccountId, StringComparison.Ordinal);

    private static string Partition(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : "aws";

    private async Task<IotPolicy> GetPolicyAsync(string name, CancellationToken cancellationToken)
    {
        var result = await SendAsync(IotOperation.GetPolicy, HttpMethod.Get, $"/policies/{Escape(name)}", null, cancellationToken);
        return new IotPolicy(Required(result, "policyName"), Required(result, "policyArn"), Required(result, "policyDocument"), Created: false);
    }

    private Task<JsonElement> SendAsync(IotOperation operation, HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken, string? principal = null)
    {
        var baseUri = Aws.IotEndpoint ?? $"https://iot.{Aws.Region}.amazonaws.com";
        HttpContent? content = null;
        if (body is not null)
        {
            content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return SendAsync(operation, method, baseUri.TrimEnd('/') + path, content, ControlPlaneClientName, principal, cancellationToken);
    }

    private async Task<JsonElement> SendAsync(
        IotOperation operation,
        HttpMethod method,
        string uri,
        HttpContent? content,
        string clientName,
        string? principal,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Options.Set(IotOperation.RequestOptionKey, operation);
        if (principal is not null)
        {
            request.Headers.Add("x-amzn-principal", principal);
        }

        var http = httpClients.CreateClient(clientName);
        HttpResponseMessage? response = null;
        string text;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception e) when (IsTransportFailure(e, cancellationToken))
        {
            response?.Dispose();
            throw TransportFailure(operation, e);
        }
        catch (AmazonServiceException e)
        {
            // Raised while the signing handler resolved credentials (e.g. STS refused the web identity token).
            log.LogWarning("AWS credentials for {Operation} could not be obtained: {ErrorCode}", operation.Name, e.ErrorCode);
            throw new AwsServiceException(AwsServiceException.KindOf(e.ErrorCode, (int)e.StatusCode), operation.Name,
                "AWS credentials could not be obtained: " + e.Message, e.ErrorCode, (int)e.StatusCode, innerException: e);
        }
        catch (AmazonClientException e)
        {
            log.LogWarning("AWS credentials for {Operation} could not be obtained", operation.Name);
            throw new AwsServiceException(AwsErrorKind.Unauthorized, operation.Name, "AWS credentials could not be obtained: " + e.Message, innerException: e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var error = ToException(operation, response, text);
                log.LogWarning("AWS IoT {Operation} failed: {ErrorCode} ({StatusCode})", operation.Name, error.ErrorCode, error.StatusCode);
                throw error;
            }

            return string.IsNullOrWhiteSpace(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private AwsServiceException TransportFailure(IotOperation operation, Exception e)
    {
        var nothingSent = e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
        if (operation.Idempotent || nothingSent)
        {
            log.LogWarning(e, "AWS IoT {Operation} could not be completed", operation.Name);
            return new AwsServiceException(AwsErrorKind.ServiceUnavailable, operation.Name, "AWS IoT could not be reached", innerException: e);
        }

        log.LogWarning(e, "AWS IoT {Operation} outcome unknown", operation.Name);
        return new AwsServiceException(
            AwsErrorKind.OutcomeUnknown,
            operation.Name,
            "the call timed out or lost its connection and may have taken effect; reconcile before calling again",
            innerException: e);
    }

    private static bool IsTransportFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpRequestException or IOException or TimeoutRejectedException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    internal static AwsServiceException ToException(IotOperation operation, HttpResponseMessage response, string body)
    {
        string? code = AwsResilience.ErrorType(response);
        string? message = null, resourceId = null, resourceArn = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            message = Optional(root, "message") ?? Optional(root, "Message");
            resourceId = Optional(root, "resourceId");
            resourceArn = Optional(root, "resourceArn");
            code ??= (Optional(root, "__type") ?? Optional(root, "code"))?.Split('#')[^1];
        }
        catch (JsonException)
        {
            // Not every failure has a JSON body (e.g. a proxy error page).
        }

        var status = (int)response.StatusCode;
        return new AwsServiceException(
            AwsServiceException.KindOf(code, status),
            operation.Name,
            message ?? response.ReasonPhrase ?? "no message",
            code,
            status,
            resourceId,
            resourceArn);
    }

    private static JsonObject ToJson(IReadOnlyDictionary<string, string> map)
    {
        var json = new JsonObject();
        foreach (var (key, value) in map)
        {
            json[key] = value;
        }

        return json;
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static string Flag(bool value) => value ? "true" : "false";

    private static string? Optional(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string Required(JsonElement element, string name) =>
        Optional(element, name) ?? throw new AwsServiceException(AwsErrorKind.ServiceUnavailable, "response", $"AWS response is missing '{name}'");
}

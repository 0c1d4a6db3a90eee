using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace Provision.Emulators.Aws;

/// <summary>
/// AWS IoT (control and data plane) and STS on one loopback port, on the wire as AWS speaks them. The request
/// decides the service (STS: POST / with a form; data plane: /topics/...; otherwise the IoT control plane) and
/// the SigV4 credential scope must name that service.
/// </summary>
public sealed class AwsEmulator : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly SigV4Verifier verifier;
    private readonly IotControlPlane iot;
    private readonly StsService sts;
    private readonly RateQuotas quotas;

    private AwsEmulator(WebApplication app, AwsEmulatorOptions options)
    {
        this.app = app;
        Options = options;
        var time = TimeProvider.System;
        verifier = new SigV4Verifier(options, State, time);
        KeyPool = new RsaKeyPool(options.KeyPoolSize);
        iot = new IotControlPlane(options, State, CertificateAuthority, KeyPool, time);
        sts = new StsService(options, State, time);
        quotas = new RateQuotas(options, time);
        app.Run(HandleAsync);
    }

    /// <summary>The default AWS rate quotas the emulator enforces, in calls per second per operation.</summary>
    public static IReadOnlyDictionary<string, double> DefaultQuotas => RateQuotas.Defaults;

    public AwsEmulatorOptions Options { get; }

    /// <summary>Where every service is served, e.g. http://127.0.0.1:43817.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public string Region => Options.Region;

    public string AccountId => Options.AccountId;

    public string AccessKeyId => Options.AccessKeyId;

    public string SecretAccessKey => Options.SecretAccessKey;

    public EmulatorJournal Journal { get; } = new();

    /// <summary>Keys ready for CreateKeysAndCertificate; <see cref="AwsEmulatorOptions.KeyPoolSize"/> sets how many are kept.</summary>
    internal RsaKeyPool KeyPool { get; }

    /// <summary>How many pre-generated keys are ready.</summary>
    public int KeysReady => KeyPool.Available;

    public FaultInjector Faults { get; } = new();

    public EmulatorState State { get; } = new();

    public CertificateAuthority CertificateAuthority { get; } = new();

    /// <summary>The CA that signs every certificate the emulator issues.</summary>
    public X509Certificate2 CaCertificate => CertificateAuthority.Certificate;

    public static async Task<AwsEmulator> StartAsync(AwsEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AwsEmulatorOptions();
        var url = new Uri(options.Url);
        var address = url.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(url.Host);
        if (!IPAddress.IsLoopback(address))
        {
            throw new ArgumentException("The emulator listens on loopback addresses only.", nameof(options));
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = 1024 * 1024;
            k.Listen(address, url.Port);
        });
        var emulator = new AwsEmulator(builder.Build(), options);
        await emulator.app.StartAsync(cancellationToken);
        var bound = emulator.app.Urls.First();
        emulator.BaseAddress = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return emulator;
    }

    /// <summary>Completes when the host is asked to stop (Ctrl+C or SIGTERM when run on its own).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => app.WaitForShutdownAsync(cancellationToken);

    /// <summary>As <c>aws iam create-open-id-connect-provider</c>: trusts tokens of <paramref name="issuer"/> signed by one of <paramref name="signingKeys"/>.</summary>
    public string CreateOpenIdConnectProvider(string issuer, IEnumerable<string> clientIds, IReadOnlyDictionary<string, RSAParameters> signingKeys)
    {
        var provider = new OpenIdConnectProvider(WebIdentity.ProviderUrl(issuer), [.. clientIds], signingKeys);
        State.OpenIdConnectProviders[provider.Url] = provider;
        return provider.Arn(AccountId);
    }

    /// <summary>As <c>aws iam create-role --assume-role-policy-document</c>: the role's trust policy.</summary>
    public void PutRoleTrustPolicy(string roleArn, string trustPolicyDocument) => State.RoleTrustPolicies[roleArn] = trustPolicyDocument;

    /// <summary>Forgets the journal and all injected faults (state is kept).</summary>
    public void Reset()
    {
        Journal.Clear();
        Faults.Clear();
    }

    /// <summary>
    /// What AWS IoT would answer a device connected with this certificate and client id that tries <paramref name="action"/>
    /// on <paramref name="topic"/> (a topic filter for Subscribe; ignored for Connect): the certificate must be active, and the
    /// policies attached to it decide. Thing policy variables resolve when a thing attached to the certificate is named as the client.
    /// </summary>
    public PolicyDecision AuthorizeMqtt(string certificateId, string clientId, MqttAction action, string? topic = null)
    {
        if (!State.Certificates.TryGetValue(certificateId, out var certificate) || certificate.Status != CertificateStatus.ACTIVE)
        {
            return PolicyDecision.ImplicitDeny;
        }
        var thing = State.Things.TryGetValue(clientId, out var named) && named.Principals.Contains(certificate.Arn) ? named : null;
        var documents = State.PoliciesAttachedTo(certificate.Arn).Select(name => State.Policies[name].Document).ToList();
        var resource = action switch
        {
            MqttAction.Connect => $"client/{clientId}",
            MqttAction.Subscribe => $"topicfilter/{topic}",
            _ => $"topic/{topic}",
        };
        return IotPolicyEvaluator.Evaluate(
            documents, $"iot:{action}", $"arn:aws:iot:{Region}:{AccountId}:{resource}", new IotConnection(clientId, thing));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        KeyPool.Dispose();
        CertificateAuthority.Dispose();
    }

    private sealed record Answer(int Status, string ContentType, string Body, string? ErrorCode, Dictionary<string, string> Headers);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        var queryAt = rawTarget.IndexOf('?');
        var rawPath = queryAt < 0 ? rawTarget : rawTarget[..queryAt];
        var rawQuery = queryAt < 0 ? "" : rawTarget[(queryAt + 1)..];
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();

        var (service, operation) = Classify(request, rawPath, body);
        Fault? lateFault = null;
        Answer answer;
        try
        {
            answer = Execute(request, service, operation, rawPath, rawQuery, body, out lateFault);
        }
        catch (EmulatorError error)
        {
            answer = ErrorAnswer(service, error);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A defect in the emulator surfaces as AWS's internal error, and in the journal.
            answer = ErrorAnswer(service, new EmulatorError(500, service == "sts" ? "InternalFailure" : "InternalFailureException", e.Message));
        }

        var dropped = lateFault?.Kind == FaultKind.DropConnection;
        Journal.Add(new EmulatorCall(
            service,
            operation,
            request.Method,
            rawPath,
            rawQuery,
            request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            body,
            answer.Status,
            answer.ErrorCode,
            answer.Body,
            answer.Headers,
            dropped,
            DateTimeOffset.UtcNow));

        if (lateFault?.Kind == FaultKind.Latency)
        {
            try
            {
                await Task.Delay(lateFault.Latency, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (dropped)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        foreach (var (name, value) in answer.Headers)
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    private static (string Service, string Operation) Classify(HttpRequest request, string rawPath, byte[] body)
    {
        if (request.Method == "POST" && rawPath == "/")
        {
            var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
            return ("sts", form.TryGetValue("Action", out var action) ? action.ToString() : "");
        }

        if (rawPath.StartsWith("/topics/", StringComparison.Ordinal))
        {
            return ("iotdata", "Publish");
        }

        return ("iot", IotControlPlane.Match(request.Method, rawPath)?.Operation ?? "");
    }

    private Answer Execute(HttpRequest request, string service, string operation, string rawPath, string rawQuery, byte[] body, out Fault? lateFault)
    {
        lateFault = null;
        if (operation.Length == 0)
        {
            throw service == "sts"
                ? new EmulatorError(400, "MissingAction", "Missing Action")
                : new EmulatorError(404, "UnknownOperationException", "Unknown operation");
        }

        SigV4Verifier.Caller? caller = null;
        if (operation != "AssumeRoleWithWebIdentity")
        {
            caller = verifier.Verify(request, rawPath, rawQuery, body, service, queryProtocol: service == "sts");
        }

        // Quota first, so that an injected fault is spent on a call that AWS would have served.
        if (!quotas.TryAcquire(operation))
        {
            throw Throttled(service);
        }

        var fault = Faults.Take(operation);
        switch (fault?.Kind)
        {
            case FaultKind.Throttle:
                throw Throttled(service);
            case FaultKind.InternalError:
                throw service == "sts"
                    ? new EmulatorError(500, "InternalFailure", "An internal error occurred.")
                    : new EmulatorError(500, "InternalFailureException", "An internal error occurred.");
            case FaultKind.ServiceUnavailable:
                throw service == "sts"
                    ? new EmulatorError(503, "ServiceUnavailable", "Service is unavailable.")
                    : new EmulatorError(503, "ServiceUnavailableException", "Service is unavailable.");
        }

        var answer = service switch
        {
            "sts" => StsAnswer(operation, body, caller),
            "iotdata" => Publish(request, rawPath, body),
            _ => IotAnswer(request, operation, rawPath, body),
        };

        // Latency and dropped connections apply once the work is done.
        lateFault = fault;
        return answer;
    }

    private Answer IotAnswer(HttpRequest request, string operation, string rawPath, byte[] body)
    {
        JsonObject json;
        try
        {
            json = body.Length == 0 ? [] : JsonNode.Parse(body) as JsonObject ?? throw new EmulatorError(400, "SerializationException", "Expected a JSON object");
        }
        catch (System.Text.Json.JsonException)
        {
            throw new EmulatorError(400, "SerializationException", "Could not parse the request body as JSON");
        }

        var route = IotControlPlane.Match(request.Method, rawPath)!.Value.Route;
        var result = iot.Execute(new IotCall(operation, route, request.Query, request.Headers, json));
        return new Answer(200, "application/json", result.ToJsonString(), null, RequestIdHeaders());
    }

    private Answer Publish(HttpRequest request, string rawPath, byte[] body)
    {
        if (request.Method != "POST")
        {
            throw new EmulatorError(405, "MethodNotAllowedException", "The specified method is not allowed.");
        }

        var topic = Uri.UnescapeDataString(rawPath["/topics/".Length..]);
        var qos = 0;
        if (request.Query.TryGetValue("qos", out var q) && (!int.TryParse(q, CultureInfo.InvariantCulture, out qos) || qos is < 0 or > 1))
        {
            throw new EmulatorError(400, "InvalidRequestException", "1 validation error detected: Value at 'qos' failed to satisfy constraint: Member must have value between 0 and 1");
        }

        if (topic.Length == 0 || topic.Contains('#') || topic.Contains('+'))
        {
            throw new EmulatorError(400, "InvalidRequestException", "The topic is not valid for publishing.");
        }

        var retain = request.Query.TryGetValue("retain", out var r) && bool.TryParse(r, out var flag) && flag;
        State.PublishedMessages.Enqueue(new PublishedMessage(topic, body, qos, retain, DateTimeOffset.UtcNow));
        return new Answer(200, "application/json", "{}", null, RequestIdHeaders());
    }

    private Answer StsAnswer(string operation, byte[] body, SigV4Verifier.Caller? caller)
    {
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body)).ToDictionary(p => p.Key, p => p.Value.ToString());
        if (form.GetValueOrDefault("Version") != "2011-06-15")
        {
            throw new EmulatorError(400, "InvalidParameterValue", "Version is missing or not 2011-06-15");
        }

        var xml = sts.Execute(operation, form, caller);
        return new Answer(200, "text/xml", xml.ToString(SaveOptions.DisableFormatting), null, RequestIdHeaders());
    }

    private static EmulatorError Throttled(string service) => service switch
    {
        "sts" => new EmulatorError(400, "Throttling", "Rate exceeded"),
        "iotdata" => new EmulatorError(429, "ThrottlingException", "Rate exceeded"),
        _ => new EmulatorError(400, "ThrottlingException", "Rate exceeded"),
    };

    private static Answer ErrorAnswer(string service, EmulatorError error)
    {
        var headers = RequestIdHeaders();
        if (service == "sts")
        {
            var xml = StsService.Error(error, headers["x-amzn-RequestId"]);
            return new Answer(error.Status, "text/xml", xml.ToString(SaveOptions.DisableFormatting), error.Code, headers);
        }

        // The control plane qualifies the error type the way AWS IoT does; clients keep the part before ':'.
        headers["x-amzn-ErrorType"] = service == "iot" ? $"{error.Code}:http://internal.amazon.com/coral/com.amazonaws.iot/" : error.Code;
        var json = new JsonObject { ["message"] = error.Message };
        foreach (var (name, value) in error.Extra)
        {
            json[name] = value;
        }

        return new Answer(error.Status, "application/json", json.ToJsonString(), error.Code, headers);
    }

    private static Dictionary<string, string> RequestIdHeaders() => new() { ["x-amzn-RequestId"] = Guid.NewGuid().ToString() };
}

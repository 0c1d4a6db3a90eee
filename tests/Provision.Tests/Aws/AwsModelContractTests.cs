using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Azure.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using Provision.Emulators.Aws;
using Provision.Core.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

/// <summary>What the clients send and what the emulator answers, checked against the official AWS models.</summary>
public sealed class AwsModelContractTests(AwsEmulatorFixture fixture) : AwsTestBase(fixture)
{
    // Operations of the IoT port: every one must be exercised by the scenario below.
    internal static readonly string[] PortOperations =
    [
        "DescribeEndpoint", "CreateThing", "DescribeThing", "DeleteThing", "CreateKeysAndCertificate", "CreateCertificateFromCsr",
        "UpdateCertificate", "DeleteCertificate", "AttachPolicy", "DetachPolicy", "AttachThingPrincipal", "DetachThingPrincipal",
        "ListThingPrincipals", "GetPolicy", "CreatePolicy", "AddThingToThingGroup", "Publish",
    ];

    // Headers the signer adds; they belong to the protocol, not to an operation's input.
    private static readonly string[] SigningHeaders = ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "x-amz-user-agent"];

    [Fact]
    public async Task IotClient_Scenario_ExercisesEveryPortOperation()
    {
        await RunIotScenarioAsync();

        Assert.Empty(PortOperations.Except(Emulator.Journal.Calls.Where(c => c.Succeeded).Select(c => c.Operation)));
    }

    [Fact]
    public async Task IotClient_EveryRequest_MatchesModelMethodAndUriTemplate()
    {
        await RunIotScenarioAsync();

        var problems = IotCalls().Select(c => (Call: c, Matches: ModelFor(c).OperationsFor(c.Method, c.Path)))
            .Where(x => x.Matches.Count != 1 || x.Matches[0] != x.Call.Operation)
            .Select(x => $"{x.Call.Method} {x.Call.Path} matched [{string.Join(", ", x.Matches)}], expected {x.Call.Operation}");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task IotClient_EveryRequest_UsesModelQueryNames()
    {
        await RunIotScenarioAsync();

        var problems = IotCalls().SelectMany(c =>
        {
            var allowed = Members(c, "querystring");
            return QueryHelpers.ParseQuery(c.Query).Keys.Where(k => !allowed.Contains(k)).Select(k => $"{c.Operation}: query '{k}' is not in the model");
        });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task IotClient_EveryRequest_UsesModelHeaderNames()
    {
        await RunIotScenarioAsync();

        var problems = IotCalls().SelectMany(c =>
        {
            var allowed = Members(c, "header").Select(h => h.ToLowerInvariant()).ToHashSet();
            return c.RequestHeaders.Keys
                .Where(h => h.StartsWith("x-amz", StringComparison.Ordinal) && !SigningHeaders.Contains(h) && !allowed.Contains(h))
                .Select(h => $"{c.Operation}: header '{h}' is not in the model");
        });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task IotClient_EveryRequest_SendsBodyTheModelDescribes()
    {
        await RunIotScenarioAsync();

        var problems = IotCalls().SelectMany(c =>
        {
            var model = ModelFor(c);
            var input = model.InputShape(c.Operation)!;
            if (model.Shape(input).TryGetProperty("payload", out _) || c.RequestBody.Length == 0)
            {
                return [];
            }

            using var body = JsonDocument.Parse(c.RequestBody);
            return model.CheckJson(body.RootElement, input, c.Operation).ToList();
        });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task IotClient_EveryRequest_CarriesRequiredMembers()
    {
        await RunIotScenarioAsync();

        var problems = IotCalls().SelectMany(c =>
        {
            var model = ModelFor(c);
            var input = model.InputShape(c.Operation)!;
            var members = model.Members(input);
            return model.Required(input).Where(r => !Present(c, members[r].Location, members[r].WireName)).Select(r => $"{c.Operation}: required '{r}' missing");
        });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Emulator_EveryIotAnswer_MatchesModelOutputShape()
    {
        await RunIotScenarioAsync();

        var problems = IotCalls().Where(c => c.Succeeded).SelectMany(c =>
        {
            var model = ModelFor(c);
            using var body = JsonDocument.Parse(c.ResponseBody);
            return model.OutputShape(c.Operation) is { } output
                ? model.CheckJson(body.RootElement, output, c.Operation).ToList()
                : body.RootElement.EnumerateObject().Select(p => $"{c.Operation}: answer has '{p.Name}' but the model has no output");
        });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Emulator_EveryIotError_IsModelledForTheOperation()
    {
        await RunIotErrorScenarioAsync();

        var problems = IotCalls().Where(c => !c.Succeeded).Select(c =>
        {
            var model = ModelFor(c);
            var code = c.ErrorCode!;
            return !model.Errors(c.Operation).Contains(code) ? $"{c.Operation}: {code} is not an error of the operation"
                : model.ErrorStatus(code) != c.StatusCode ? $"{c.Operation}: {code} answered {c.StatusCode}, model says {model.ErrorStatus(code)}"
                : null;
        }).OfType<string>();
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Emulator_EveryIotError_HasModelErrorBody()
    {
        await RunIotErrorScenarioAsync();

        var problems = IotCalls().Where(c => !c.Succeeded).SelectMany(c =>
        {
            using var body = JsonDocument.Parse(c.ResponseBody);
            return ModelFor(c).CheckJson(body.RootElement, c.ErrorCode!, c.Operation).ToList();
        });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Emulator_IotErrorScenario_AnswersEveryErrorKind()
    {
        await RunIotErrorScenarioAsync();

        var codes = IotCalls().Where(c => !c.Succeeded).Select(c => c.ErrorCode).ToHashSet();
        string[] expected =
        [
            "ResourceNotFoundException", "ResourceAlreadyExistsException", "InvalidRequestException", "ThrottlingException",
            "CertificateStateException", "DeleteConflictException", "LimitExceededException", "MalformedPolicyException",
            "ServiceUnavailableException", "InternalFailureException",
        ];
        Assert.Empty(expected.Except(codes!));
    }

    [Fact]
    public async Task StsClients_EveryRequest_UsesModelParameters()
    {
        await RunStsScenarioAsync();

        var problems = StsCalls().SelectMany(c =>
        {
            var form = QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(c.RequestBody));
            var input = AwsModel.Sts.InputShape(c.Operation)!;
            var members = AwsModel.Sts.Members(input);
            var unknown = form.Keys.Select(k => k.Split('.')[0]).Distinct()
                .Where(k => k is not ("Action" or "Version") && !members.ContainsKey(k))
                .Select(k => $"{c.Operation}: parameter '{k}' is not in the model");
            var missing = AwsModel.Sts.Required(input).Where(r => !form.ContainsKey(r)).Select(r => $"{c.Operation}: required '{r}' missing");
            return unknown.Concat(missing);
        });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Emulator_EveryStsAnswer_MatchesModelOutputShape()
    {
        await RunStsScenarioAsync();

        var problems = StsCalls().Where(c => c.Succeeded).SelectMany(c =>
        {
            var xml = XElement.Parse(c.ResponseBody);
            var ns = XNamespace.Get("https://sts.amazonaws.com/doc/2011-06-15/");
            var wrapper = AwsModel.Sts.Operation(c.Operation).GetProperty("output").GetProperty("resultWrapper").GetString()!;
            if (xml.Name != ns + $"{c.Operation}Response" || xml.Element(ns + wrapper) is not { } result)
            {
                return [$"{c.Operation}: answer is not {c.Operation}Response/{wrapper} in the STS namespace"];
            }

            return AwsModel.Sts.CheckXml(result, AwsModel.Sts.OutputShape(c.Operation)!, c.Operation).ToList();
        });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Emulator_StsScenario_AnswersEveryStsOperation()
    {
        await RunStsScenarioAsync();

        Assert.Empty(AwsModel.Sts.OperationNames.Except(StsCalls().Where(c => c.Succeeded).Select(c => c.Operation)));
    }

    [Fact]
    public async Task Emulator_EveryStsError_UsesQueryErrorFormat()
    {
        using var fault = Emulator.Faults.Inject("AssumeRole", FaultKind.Throttle);
        var issuer = Services.GetRequiredService<IDeviceCredentialIssuer>();
        await Assert.ThrowsAsync<AwsServiceException>(() => issuer.IssueAsync(new DeviceCredentialRequest("device-1", "prod1", "acct1")));

        var ns = XNamespace.Get("https://sts.amazonaws.com/doc/2011-06-15/");
        var problems = StsCalls().Where(c => !c.Succeeded).Select(c => XElement.Parse(c.ResponseBody))
            .Where(x => x.Name != ns + "ErrorResponse" || x.Element(ns + "Error")?.Element(ns + "Code")?.Value is not "Throttling"
                || x.Element(ns + "Error")?.Element(ns + "Message") is null)
            .Select(x => x.ToString());
        Assert.Empty(problems);
    }

    private IEnumerable<EmulatorCall> IotCalls() => Emulator.Journal.Calls.Where(c => c.Service is "iot" or "iotdata");

    private IEnumerable<EmulatorCall> StsCalls() => Emulator.Journal.Calls.Where(c => c.Service == "sts");

    private static AwsModel ModelFor(EmulatorCall call) => call.Service == "iotdata" ? AwsModel.IotData : AwsModel.Iot;

    private static HashSet<string> Members(EmulatorCall call, string location)
    {
        var model = ModelFor(call);
        return [.. model.Members(model.InputShape(call.Operation)!).Values.Where(m => m.Location == location).Select(m => m.WireName)];
    }

    private static bool Present(EmulatorCall call, string location, string wireName) => location switch
    {
        "uri" => true,
        "header" => call.RequestHeaders.ContainsKey(wireName.ToLowerInvariant()),
        "querystring" => QueryHelpers.ParseQuery(call.Query).ContainsKey(wireName),
        _ => call.RequestBody.Length > 0 && JsonDocument.Parse(call.RequestBody).RootElement.TryGetProperty(wireName, out _),
    };

    /// <summary>Every operation of the port, through the real client.</summary>
    private async Task RunIotScenarioAsync()
    {
        var group = NewName("group");
        Emulator.State.ThingGroups[group] = $"arn:aws:iot:us-east-1:{Emulator.AccountId}:thinggroup/{group}";
        await Iot.DescribeDataEndpointAsync();
        var thing = await Iot.CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1", "IotoDevice"));
        await Iot.DescribeThingAsync(thing.ThingName);
        await Iot.AddThingToThingGroupAsync(thing.ThingName, group);
        var policy = await Iot.EnsurePolicyAsync(NewName("policy"));
        var existing = NewName("policy");
        Emulator.State.Policies[existing] = new EmulatedPolicy(existing, $"arn:aws:iot:us-east-1:{Emulator.AccountId}:policy/{existing}", "{}", DateTimeOffset.UtcNow);
        await Iot.EnsurePolicyAsync(existing);
        var generated = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
        using var key = RSA.Create(2048);
        var csr = new CertificateRequest("CN=device-1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem();
        var fromCsr = await Iot.CreateCertificateFromCsrAsync(csr, setAsActive: false);
        await Iot.AttachPolicyAsync(policy.PolicyName, generated.CertificateArn);
        await Iot.AttachThingPrincipalAsync(thing.ThingName, generated.CertificateArn);
        await Iot.AttachThingPrincipalAsync(thing.ThingName, fromCsr.CertificateArn);
        var third = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
        await Iot.AttachThingPrincipalAsync(thing.ThingName, third.CertificateArn);
        await Iot.ListThingPrincipalsAsync(thing.ThingName);
        await Iot.PublishAsync($"ioto/device/{thing.ThingName}/hello", "{}"u8.ToArray(), qos: 1, retain: true);
        await Iot.DetachThingPrincipalAsync(thing.ThingName, fromCsr.CertificateArn);
        await Iot.UpdateCertificateAsync(fromCsr.CertificateId, IotCertificateStatus.Revoked);
        await Iot.DeleteCertificateAsync(fromCsr.CertificateId);
        await Iot.DetachPolicyAsync(policy.PolicyName, generated.CertificateArn);
        await Iot.DetachThingPrincipalAsync(thing.ThingName, generated.CertificateArn);
        await Iot.DetachThingPrincipalAsync(thing.ThingName, third.CertificateArn);
        await Iot.DeleteThingAsync(thing.ThingName);
    }

    /// <summary>Provokes every error the emulator can answer on the IoT planes.</summary>
    private async Task RunIotErrorScenarioAsync()
    {
        using var noRetries = Fixture.CreateServices(s => s["Aws:MaxRetryAttempts"] = "0");
        var iot = noRetries.GetRequiredService<IIotClient>();
        async Task Fails(Func<Task> call) => await Assert.ThrowsAsync<AwsServiceException>(call);

        var thing = await iot.CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1"));
        var certificate = await iot.CreateKeysAndCertificateAsync(setAsActive: true);
        await iot.AttachThingPrincipalAsync(thing.ThingName, certificate.CertificateArn);
        await Fails(() => iot.DescribeThingAsync(NewName()));
        await Fails(() => iot.CreateThingAsync(new IotThingSpec(thing.ThingName, "other", "acct1")));
        await Fails(() => iot.CreateThingAsync(new IotThingSpec("bad name", "prod1", "acct1")));
        await Fails(() => iot.DeleteThingAsync(thing.ThingName));
        await Fails(() => iot.DeleteCertificateAsync(certificate.CertificateId));
        await iot.UpdateCertificateAsync(certificate.CertificateId, IotCertificateStatus.Revoked);
        await Fails(() => iot.DeleteCertificateAsync(certificate.CertificateId));
        await Fails(() => iot.UpdateCertificateAsync(certificate.CertificateId, IotCertificateStatus.Active));
        await Fails(() => iot.AttachPolicyAsync(NewName("policy"), certificate.CertificateArn));
        for (var i = 0; i < 10; i++)
        {
            var name = NewName("policy");
            Emulator.State.Policies[name] = new EmulatedPolicy(name, $"arn:aws:iot:us-east-1:{Emulator.AccountId}:policy/{name}", "{}", DateTimeOffset.UtcNow);
            await iot.AttachPolicyAsync(name, certificate.CertificateArn);
        }

        var eleventh = NewName("policy");
        Emulator.State.Policies[eleventh] = new EmulatedPolicy(eleventh, $"arn:aws:iot:us-east-1:{Emulator.AccountId}:policy/{eleventh}", "{}", DateTimeOffset.UtcNow);
        await Fails(() => iot.AttachPolicyAsync(eleventh, certificate.CertificateArn));
        await Fails(() => iot.AddThingToThingGroupAsync(thing.ThingName, NewName("group")));
        using (var services = Fixture.CreateServices(s => s["Iot:PolicyDocument"] = "[]"))
        {
            await Fails(() => services.GetRequiredService<IIotClient>().EnsurePolicyAsync(NewName("policy")));
        }

        using (Emulator.Faults.Inject("DescribeThing", FaultKind.Throttle, times: 1))
        {
            await Fails(() => iot.DescribeThingAsync(thing.ThingName));
        }

        using (Emulator.Faults.Inject("DescribeThing", FaultKind.ServiceUnavailable, times: 1))
        {
            await Fails(() => iot.DescribeThingAsync(thing.ThingName));
        }

        using (Emulator.Faults.Inject("DescribeThing", FaultKind.InternalError, times: 1))
        {
            await Fails(() => iot.DescribeThingAsync(thing.ThingName));
        }

        using (Emulator.Faults.Inject("Publish", FaultKind.Throttle, times: 1))
        {
            await Fails(() => iot.PublishAsync("ioto/x", "x"u8.ToArray()));
        }
    }

    /// <summary>Every STS operation: device credentials, web identity, and the caller's identity.</summary>
    private async Task RunStsScenarioAsync()
    {
        var credentials = await Services.GetRequiredService<IDeviceCredentialIssuer>().IssueAsync(new DeviceCredentialRequest(NewName("device"), "prod1", "acct1"));

        using var entra = new EntraTokens();
        var roleArn = $"arn:aws:iam::{Emulator.AccountId}:role/ProvisionService";
        entra.ConfigureAws(Emulator, roleArn);
        var azure = Substitute.For<TokenCredential>();
        azure.GetTokenAsync(Arg.Any<TokenRequestContext>(), Arg.Any<CancellationToken>())
            .Returns(new AccessToken(entra.Token(), DateTimeOffset.UtcNow.AddHours(1)));
        using (var services = Fixture.CreateServices(
            s => s["Aws:WebIdentityRoleArn"] = roleArn,
            useEmulatorKey: false,
            register: s => s.AddKeyedSingleton(AwsServiceCollectionExtensions.WebIdentityTokenCredentialKey, azure)))
        {
            await services.GetRequiredService<AWSCredentials>().GetCredentialsAsync();
        }

        using var sts = new AmazonSecurityTokenServiceClient(
            new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken),
            new AmazonSecurityTokenServiceConfig { ServiceURL = Emulator.BaseAddress.ToString(), AuthenticationRegion = Emulator.Region });
        await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
    }
}

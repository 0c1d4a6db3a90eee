using Provision.Emulators.Aws;
using Provision.Core.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

public sealed class IotPolicyAndPrincipalTests(AwsEmulatorFixture fixture) : AwsTestBase(fixture)
{
    [Fact]
    public async Task EnsurePolicy_Missing_CreatesPolicy()
    {
        var name = NewName("policy");

        var policy = await Iot.EnsurePolicyAsync(name);

        Assert.True(policy.Created && Emulator.State.Policies.ContainsKey(name));
    }

    [Fact]
    public async Task EnsurePolicy_Missing_FillsRegionAndAccountIntoTemplate()
    {
        var name = NewName("policy");

        await Iot.EnsurePolicyAsync(name);

        Assert.Contains($"arn:aws:iot:us-east-1:{Emulator.AccountId}:client/", Emulator.State.Policies[name].Document);
    }

    [Fact]
    public async Task EnsurePolicy_Missing_KeepsIotPolicyVariables()
    {
        var name = NewName("policy");

        await Iot.EnsurePolicyAsync(name);

        Assert.Contains("${iot:Connection.Thing.ThingName}", Emulator.State.Policies[name].Document);
    }

    [Fact]
    public async Task EnsurePolicy_Existing_DoesNotCreateAgain()
    {
        var name = NewName("policy");
        await Iot.EnsurePolicyAsync(name);

        var policy = await Iot.EnsurePolicyAsync(name);

        Assert.Equal((false, 1), (policy.Created, Emulator.Journal.CountSucceeded("CreatePolicy")));
    }

    [Fact]
    public async Task EnsurePolicy_CalledTwice_AsksAwsOnce()
    {
        var name = NewName("policy");
        Emulator.State.Policies[name] = new EmulatedPolicy(name, $"arn:aws:iot:us-east-1:{Emulator.AccountId}:policy/{name}", "{}", DateTimeOffset.UtcNow);
        await Iot.EnsurePolicyAsync(name);

        await Iot.EnsurePolicyAsync(name);

        Assert.Equal(1, Emulator.Journal.Count("GetPolicy"));
    }

    [Fact]
    public async Task EnsurePolicy_NoName_UsesConfiguredPolicyName()
    {
        var policy = await Iot.EnsurePolicyAsync();

        Assert.Equal("IotoDevicePolicy", policy.PolicyName);
    }

    [Fact]
    public async Task EnsurePolicy_MalformedTemplate_ThrowsInvalidRequest()
    {
        using var services = Fixture.CreateServices(s => s["Iot:PolicyDocument"] = "{ not json");
        var iot = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IIotClient>(services);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => iot.EnsurePolicyAsync(NewName("policy")));

        Assert.Equal((AwsErrorKind.InvalidRequest, "MalformedPolicyException"), (error.Kind, error.ErrorCode));
    }

    [Fact]
    public async Task AttachPolicy_ExistingPolicyAndCertificate_AttachesPolicy()
    {
        var policy = await Iot.EnsurePolicyAsync(NewName("policy"));
        var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);

        await Iot.AttachPolicyAsync(policy.PolicyName, certificate.CertificateArn);

        Assert.Contains(policy.PolicyName, Emulator.State.PoliciesAttachedTo(certificate.CertificateArn));
    }

    [Fact]
    public async Task AttachPolicy_Twice_Succeeds()
    {
        var policy = await Iot.EnsurePolicyAsync(NewName("policy"));
        var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
        await Iot.AttachPolicyAsync(policy.PolicyName, certificate.CertificateArn);

        await Iot.AttachPolicyAsync(policy.PolicyName, certificate.CertificateArn);

        Assert.Single(Emulator.State.PoliciesAttachedTo(certificate.CertificateArn));
    }

    [Fact]
    public async Task AttachPolicy_MissingPolicy_ThrowsNotFound()
    {
        var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.AttachPolicyAsync(NewName("policy"), certificate.CertificateArn));

        Assert.Equal(AwsErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task AttachPolicy_EleventhPolicy_ThrowsLimitExceeded()
    {
        var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
        for (var i = 0; i < 10; i++)
        {
            await Iot.AttachPolicyAsync(AddPolicy(), certificate.CertificateArn);
        }

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.AttachPolicyAsync(AddPolicy(), certificate.CertificateArn));

        Assert.Equal(AwsErrorKind.LimitExceeded, error.Kind);
    }

    [Fact]
    public async Task DetachPolicy_Attached_DetachesPolicy()
    {
        var policy = await Iot.EnsurePolicyAsync(NewName("policy"));
        var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
        await Iot.AttachPolicyAsync(policy.PolicyName, certificate.CertificateArn);

        await Iot.DetachPolicyAsync(policy.PolicyName, certificate.CertificateArn);

        Assert.Empty(Emulator.State.PoliciesAttachedTo(certificate.CertificateArn));
    }

    [Fact]
    public async Task AttachThingPrincipal_ExistingThing_AttachesCertificate()
    {
        var thing = await CreateThingAsync();
        var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);

        await Iot.AttachThingPrincipalAsync(thing.ThingName, certificate.CertificateArn);

        Assert.Equal([certificate.CertificateArn], Emulator.State.Things[thing.ThingName].Principals);
    }

    [Fact]
    public async Task AttachThingPrincipal_MissingThing_ThrowsNotFound()
    {
        var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.AttachThingPrincipalAsync(NewName(), certificate.CertificateArn));

        Assert.Equal(AwsErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task DetachThingPrincipal_Attached_DetachesCertificate()
    {
        var thing = await CreateThingAsync();
        var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
        await Iot.AttachThingPrincipalAsync(thing.ThingName, certificate.CertificateArn);

        await Iot.DetachThingPrincipalAsync(thing.ThingName, certificate.CertificateArn);

        Assert.Empty(Emulator.State.Things[thing.ThingName].Principals);
    }

    [Fact]
    public async Task ListThingPrincipals_MorePrincipalsThanOnePage_ReturnsAll()
    {
        var thing = await CreateThingAsync();
        var arns = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
            await Iot.AttachThingPrincipalAsync(thing.ThingName, certificate.CertificateArn);
            arns.Add(certificate.CertificateArn);
        }

        var principals = await Iot.ListThingPrincipalsAsync(thing.ThingName);

        Assert.Equal(arns, principals);
    }

    [Fact]
    public async Task ListThingPrincipals_MorePrincipalsThanOnePage_FollowsNextToken()
    {
        var thing = await CreateThingAsync();
        for (var i = 0; i < 5; i++)
        {
            var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
            await Iot.AttachThingPrincipalAsync(thing.ThingName, certificate.CertificateArn);
        }

        await Iot.ListThingPrincipalsAsync(thing.ThingName);

        Assert.Equal(3, Emulator.Journal.CountSucceeded("ListThingPrincipals"));
    }

    [Fact]
    public async Task ListThingPrincipals_MissingThing_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.ListThingPrincipalsAsync(NewName()));

        Assert.Equal(AwsErrorKind.NotFound, error.Kind);
    }

    // Set up directly in the emulator, so that setup does not spend the GetPolicy quota.
    private string AddPolicy()
    {
        var name = NewName("policy");
        Emulator.State.Policies[name] = new EmulatedPolicy(name, $"arn:aws:iot:us-east-1:{Emulator.AccountId}:policy/{name}", "{}", DateTimeOffset.UtcNow);
        return name;
    }
}

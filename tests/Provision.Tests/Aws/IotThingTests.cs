using Provision.Core.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

public sealed class IotThingTests(AwsEmulatorFixture fixture) : AwsTestBase(fixture)
{
    [Fact]
    public async Task CreateThing_NewThing_ReturnsThingInConfiguredAccount()
    {
        var name = NewName();

        var thing = await Iot.CreateThingAsync(new IotThingSpec(name, "prod1", "acct1"));

        Assert.Equal($"arn:aws:iot:us-east-1:{Emulator.AccountId}:thing/{name}", thing.ThingArn);
    }

    [Fact]
    public async Task CreateThing_WithAttributes_StoresProductAndAccount()
    {
        var name = NewName();

        await Iot.CreateThingAsync(new IotThingSpec(name, "prod1", "acct1"));

        var stored = Emulator.State.Things[name].Attributes;
        Assert.Equal(new Dictionary<string, string> { ["accountId"] = "acct1", ["productId"] = "prod1" }, stored);
    }

    [Fact]
    public async Task CreateThing_WithThingType_StoresThingType()
    {
        var name = NewName();

        await Iot.CreateThingAsync(new IotThingSpec(name, "prod1", "acct1", "IotoDevice"));

        Assert.Equal("IotoDevice", Emulator.State.Things[name].ThingTypeName);
    }

    [Fact]
    public async Task CreateThing_SameConfigurationTwice_ReturnsSameThing()
    {
        var first = await CreateThingAsync();

        var second = await CreateThingAsync(first.ThingName);

        Assert.Equal(first.ThingId, second.ThingId);
    }

    [Fact]
    public async Task CreateThing_DifferentConfiguration_ThrowsAlreadyExistsWithResource()
    {
        var first = await CreateThingAsync();

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => Iot.CreateThingAsync(new IotThingSpec(first.ThingName, "other", "acct1")));

        Assert.Equal((AwsErrorKind.AlreadyExists, first.ThingId, first.ThingArn), (error.Kind, error.ResourceId, error.ResourceArn));
    }

    [Fact]
    public async Task CreateThing_InvalidName_ThrowsInvalidRequest()
    {
        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => Iot.CreateThingAsync(new IotThingSpec("bad name!", "prod1", "acct1")));

        Assert.Equal(AwsErrorKind.InvalidRequest, error.Kind);
    }

    [Fact]
    public async Task DescribeThing_Existing_ReturnsAttributesAndType()
    {
        var name = NewName();
        await Iot.CreateThingAsync(new IotThingSpec(name, "prod1", "acct1", "IotoDevice"));

        var thing = await Iot.DescribeThingAsync(name);

        Assert.Equal(("IotoDevice", "prod1", "acct1"), (thing.ThingTypeName, thing.Attributes["productId"], thing.Attributes["accountId"]));
    }

    [Fact]
    public async Task DescribeThing_Missing_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.DescribeThingAsync(NewName()));

        Assert.Equal(AwsErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task DeleteThing_Existing_RemovesThing()
    {
        var thing = await CreateThingAsync();

        await Iot.DeleteThingAsync(thing.ThingName);

        Assert.False(Emulator.State.Things.ContainsKey(thing.ThingName));
    }

    [Fact]
    public async Task DeleteThing_Missing_Succeeds()
    {
        await Iot.DeleteThingAsync(NewName());

        Assert.Equal(1, Emulator.Journal.CountSucceeded("DeleteThing"));
    }

    [Fact]
    public async Task DeleteThing_WithAttachedPrincipal_ThrowsInvalidRequest()
    {
        var thing = await CreateThingAsync();
        var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
        await Iot.AttachThingPrincipalAsync(thing.ThingName, certificate.CertificateArn);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.DeleteThingAsync(thing.ThingName));

        Assert.Equal(AwsErrorKind.InvalidRequest, error.Kind);
    }

    [Fact]
    public async Task AddThingToThingGroup_ExistingGroup_AddsThing()
    {
        var group = NewName("group");
        Emulator.State.ThingGroups[group] = $"arn:aws:iot:us-east-1:{Emulator.AccountId}:thinggroup/{group}";
        var thing = await CreateThingAsync();

        await Iot.AddThingToThingGroupAsync(thing.ThingName, group);

        Assert.Contains(group, Emulator.State.Things[thing.ThingName].Groups);
    }

    [Fact]
    public async Task AddThingToThingGroup_MissingGroup_ThrowsNotFound()
    {
        var thing = await CreateThingAsync();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.AddThingToThingGroupAsync(thing.ThingName, NewName("group")));

        Assert.Equal(AwsErrorKind.NotFound, error.Kind);
    }
}

using Provision.Emulators.Aws;

namespace Provision.Tests.Aws;

/// <summary>The emulator's IoT policy evaluator follows AWS's documented matching rules.</summary>
public class IotPolicyEvaluatorTests
{
    private const string Arn = "arn:aws:iot:us-east-1:123456789012:";

    private static readonly EmulatedThing ThingX = new("X", Arn + "thing/X", "1", "sensor",
        new Dictionary<string, string> { ["accountId"] = "ACME" });

    private static string Policy(string effect, string action, params string[] resources) => $$"""
        {"Version":"2012-10-17","Statement":[{"Effect":"{{effect}}","Action":"{{action}}","Resource":[{{string.Join(",", resources.Select(r => $"\"{Arn}{r}\""))}}]}]}
        """;

    private static PolicyDecision Decide(string action, string resource, IotConnection? connection = null, params string[] policies) =>
        IotPolicyEvaluator.Evaluate(policies, action, Arn + resource, connection ?? new IotConnection("X", ThingX));

    [Theory]
    [InlineData("topic/ioto/*", "topic/ioto/device/Y/provision/release")]
    [InlineData("topic/ioto/*/X/*", "topic/ioto/device/Y/X/anything")]
    [InlineData("topic/a/?/c", "topic/a/b/c")]
    [InlineData("topicfilter/a/+/#", "topicfilter/a/+/#")]
    public void Evaluate_MatchingResource_Allows(string pattern, string resource)
    {
        Assert.Equal(PolicyDecision.Allow, Decide("iot:Publish", resource, null, Policy("Allow", "iot:Publish", pattern)));
    }

    [Theory]
    [InlineData("topic/a/?/c", "topic/a/bb/c")]
    [InlineData("topicfilter/a/+/#", "topicfilter/a/b/c")]
    [InlineData("topic/ioto/device/X", "topic/ioto/device/X/more")]
    [InlineData("topic/Ioto/*", "topic/ioto/x")]
    public void Evaluate_NonMatchingResource_DeniesImplicitly(string pattern, string resource)
    {
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide("iot:Publish", resource, null, Policy("Allow", "iot:Publish", pattern)));
    }

    [Fact]
    public void Evaluate_ExplicitDenyAndAllow_DenyWins()
    {
        var decision = Decide("iot:Publish", "topic/a/b", null,
            Policy("Allow", "iot:*", "topic/*"), Policy("Deny", "iot:Publish", "topic/a/*"));

        Assert.Equal(PolicyDecision.ExplicitDeny, decision);
    }

    [Fact]
    public void Evaluate_OtherAction_DeniesImplicitly()
    {
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide("iot:Subscribe", "topic/a", null, Policy("Allow", "iot:Publish", "topic/a")));
    }

    [Theory]
    [InlineData("topic/d/${iot:Connection.Thing.ThingName}/*", "topic/d/X/t")]
    [InlineData("topic/c/${iot:ClientId}/*", "topic/c/X/t")]
    [InlineData("topic/a/${iot:Connection.Thing.Attributes[accountId]}/*", "topic/a/ACME/t")]
    [InlineData("topic/t/${iot:Connection.Thing.ThingTypeName}", "topic/t/sensor")]
    [InlineData("topic/lit/${*}", "topic/lit/*")]
    public void Evaluate_PolicyVariables_AreSubstituted(string pattern, string resource)
    {
        Assert.Equal(PolicyDecision.Allow, Decide("iot:Publish", resource, null, Policy("Allow", "iot:Publish", pattern)));
    }

    [Fact]
    public void Evaluate_SubstitutedValue_MatchesLiterally()
    {
        var starred = new IotConnection("X*", null);

        var decision = Decide("iot:Publish", "topic/c/Xanything", starred, Policy("Allow", "iot:Publish", "topic/c/${iot:ClientId}"));

        Assert.Equal(PolicyDecision.ImplicitDeny, decision);
    }

    [Theory]
    [InlineData("topic/d/${iot:Connection.Thing.ThingName}", "topic/d/")]
    [InlineData("topic/a/${iot:Connection.Thing.Attributes[missing]}/*", "topic/a//t")]
    public void Evaluate_UnresolvedVariable_MatchesNothing(string pattern, string resource)
    {
        var noThing = new IotConnection("X", null);

        Assert.Equal(PolicyDecision.ImplicitDeny, Decide("iot:Publish", resource, noThing, Policy("Allow", "iot:Publish", pattern)));
    }

    [Fact]
    public void Evaluate_Condition_IsRefusedNotGuessed()
    {
        const string conditional = """
            {"Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":{"Bool":{"iot:Connection.Thing.IsAttached":"true"}}}]}
            """;

        Assert.Throws<NotSupportedException>(() => Decide("iot:Connect", "client/X", null, conditional));
    }
}

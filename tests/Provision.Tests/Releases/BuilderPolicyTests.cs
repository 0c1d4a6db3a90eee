using Provision.Core;
using Provision.Core.Releases;

namespace Provision.Tests.Releases;

/// <summary>Policies in the EmbedThis Builder expression syntax, and device values sent as strings or typed.</summary>
public class BuilderPolicyTests
{
    private static PolicyOutcome Evaluate(string expression, string properties = "{}", string? version = "1.0.0", string? newVersion = "1.1.0") =>
        ReleasePolicy.Compile(expression).Evaluate(Facts.Device(version, properties: properties), newVersion);

    [Theory]
    [InlineData("semver(version, \"<\", newVersion)", "1.0.0", "1.1.0", true)]
    [InlineData("semver(version, \"<\", newVersion)", "1.1.0", "1.1.0", false)]
    [InlineData("semver(version, \"<\", newVersion)", "1.10.0", "1.9.0", false)]
    [InlineData("semver(version, \">=\", \"1.0.0-beta\")", "1.0.0", "2.0.0", true)]
    [InlineData("semver(version, \"==\", \"1.2.3\")", "1.2.3+build.5", "1.2.2", true)]
    [InlineData("semver(version, \"!=\", \"1.2.3\")", "1.2.3", "1.2.2", false)]
    [InlineData("version == '1.2.3'", "1.2.3", "1.2.2", true)]
    [InlineData("newVersion == '2.0.0' && version < newVersion", "1.9.9", "2.0.0", true)]
    [InlineData("major >= 1 && minor >= 1 && patch >= 5", "1.1.5", "2.0.0", true)]
    [InlineData("major >= 1 && minor >= 1 && patch >= 5", "1.1.4", "2.0.0", false)]
    [InlineData("major == 2", "2.0.0-rc.1", "2.0.0", true)]
    public void Evaluate_BuilderVersionNames_FollowSemVer(string expression, string version, string newVersion, bool expected)
    {
        Assert.Equal(new PolicyOutcome(expected, null), Evaluate(expression, version: version, newVersion: newVersion));
    }

    [Theory]
    [InlineData("model ^= \"T2\"", true)]
    [InlineData("model ^!= \"T2\"", false)]
    [InlineData("model $= \"eu\"", true)]
    [InlineData("model $!= \"eu\"", false)]
    [InlineData("model >< \"-x\"", true)]
    [InlineData("model <> \"-x\"", false)]
    [InlineData("model =~ /^T\\d-/", true)]
    [InlineData("model =~ /^t\\d/i && model ^= 'T'", true)]
    [InlineData("model =~ /^X/", false)]
    [InlineData("model == /eu$/ && model != /^X/", true)]
    [InlineData("(model ^= \"T\") && !(model $= \"us\")", true)]
    [InlineData("missing ^= \"T\"", false)]
    [InlineData("missing ^!= \"T\"", true)]
    [InlineData("model==~0", false)]
    public void Evaluate_BuilderStringOperators_MatchAsDocumented(string expression, bool expected)
    {
        Assert.Equal(new PolicyOutcome(expected, null), Evaluate(expression, """{"model":"T2-x-eu"}"""));
    }

    [Theory]
    [InlineData("""{"try-beta-features":"1"}""", true)]
    [InlineData("""{"try-beta-features":1}""", true)]
    [InlineData("""{"try-beta-features":"0"}""", false)]
    [InlineData("{}", false)]
    public void Evaluate_NameWithHyphen_IsTheDeviceProperty(string properties, bool expected)
    {
        Assert.Equal(expected, Evaluate("try-beta-features == 1", properties).Applies);
    }

    [Fact]
    public void Evaluate_SubtractionWithSpaces_StaysSubtraction()
    {
        Assert.True(Evaluate("memory - ports == 224", """{"memory":256,"ports":32}""").Applies);
    }

    [Fact]
    public void Evaluate_BuilderSampleFromTheDocs_Applies()
    {
        var outcome = Evaluate("major >= 1 && minor >= 1 && patch >= 5 && memory >= 256 && ports == 32", """{"memory":"512","ports":"32"}""", version: "1.1.5");

        Assert.Equal(new PolicyOutcome(true, null), outcome);
    }

    [Fact]
    public void Evaluate_SemverWithUnknownOperator_DoesNotApplyAndSaysWhy()
    {
        var outcome = Evaluate("semver(version, \"~\", newVersion)");

        Assert.False(outcome.Applies);
        Assert.Contains("semver() compares with", outcome.Failure);
    }

    [Theory]
    [InlineData("pro == true", """{"pro":true}""", """{"pro":"true"}""", true)]
    [InlineData("pro == false", """{"pro":false}""", """{"pro":"false"}""", true)]
    [InlineData("pro === true", """{"pro":true}""", """{"pro":"true"}""", true)]
    [InlineData("pro != true", """{"pro":false}""", """{"pro":"false"}""", true)]
    [InlineData("pro", """{"pro":false}""", """{"pro":"false"}""", false)]
    [InlineData("!pro", """{"pro":false}""", """{"pro":"false"}""", true)]
    [InlineData("pro && memory > 256", """{"pro":true,"memory":512}""", """{"pro":"true","memory":"512"}""", true)]
    [InlineData("pro == \"true\"", """{"pro":true}""", """{"pro":"true"}""", true)]
    [InlineData("memory > 256", """{"memory":512}""", """{"memory":"512"}""", true)]
    [InlineData("memory > 256", """{"memory":64}""", """{"memory":"64"}""", false)]
    [InlineData("memory >= 256 && memory < 1024", """{"memory":256}""", """{"memory":"256"}""", true)]
    [InlineData("memory == 256", """{"memory":256}""", """{"memory":"256"}""", true)]
    [InlineData("memory === 256", """{"memory":256}""", """{"memory":"256"}""", true)]
    [InlineData("memory !== 256", """{"memory":256}""", """{"memory":"256"}""", false)]
    [InlineData("256 <= memory", """{"memory":1024}""", """{"memory":"1024"}""", true)]
    [InlineData("ratio > 0.5", """{"ratio":0.75}""", """{"ratio":"0.75"}""", true)]
    [InlineData("ports == 32 && memory > 1000", """{"ports":32,"memory":4096}""", """{"ports":"32","memory":"4096"}""", true)]
    public void Evaluate_StringOrTypedValue_SameAnswer(string expression, string typed, string strings, bool expected)
    {
        Assert.Equal(new PolicyOutcome(expected, null), Evaluate(expression, typed));
        Assert.Equal(new PolicyOutcome(expected, null), Evaluate(expression, strings));
    }

    [Fact]
    public void Evaluate_NonNumericStringComparedWithNumber_IsFalse()
    {
        Assert.False(Evaluate("memory > 256", """{"memory":"lots"}""").Applies);
    }

    [Fact]
    public void Compile_BuilderOperatorMissingOperand_MessageNamesPositionAsWritten()
    {
        var error = Assert.Throws<ValidationException>(() => ReleasePolicy.Compile("try-beta-features ^= && pro"));

        Assert.Equal("Release policy is not a valid expression: Unexpected token '&&' (line 1, column 22).", error.Message);
    }
}

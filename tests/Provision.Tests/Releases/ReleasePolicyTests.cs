using Provision.Core;
using Provision.Core.Releases;

namespace Provision.Tests.Releases;

public class ReleasePolicyTests
{
    private static PolicyOutcome Evaluate(string expression, string properties = "{}", string? version = "1.0.0") =>
        ReleasePolicy.Compile(expression).Evaluate(Facts.Device(version, properties: properties));

    [Fact]
    public void Evaluate_ExpressionTrueForDevice_Applies()
    {
        var outcome = Evaluate("model == \"x1\" || region != \"eu\"", """{"model":"x1","region":"eu"}""");

        Assert.Equal(new PolicyOutcome(true, null), outcome);
    }

    [Fact]
    public void Evaluate_ExpressionFalseForDevice_DoesNotApply()
    {
        var outcome = Evaluate("model == \"x1\" || region != \"eu\"", """{"model":"x2","region":"eu"}""");

        Assert.Equal(new PolicyOutcome(false, null), outcome);
    }

    [Fact]
    public void Evaluate_VersionAndBooleanProperty_Applies()
    {
        var outcome = Evaluate("version >= \"1.2.0\" && pro == true", """{"pro":true}""", version: "1.3.0");

        Assert.True(outcome.Applies);
    }

    [Theory]
    [InlineData("1.10.0", "version >= \"1.2.0\"", true)]
    [InlineData("1.10.0", "version < \"1.2.0\"", false)]
    [InlineData("1.10.0", "\"1.2.0\" < version", true)]
    [InlineData("1.0.0-beta", "version < \"1.0.0\"", true)]
    [InlineData("1.0.0-beta.11", "version > \"1.0.0-beta.2\"", true)]
    [InlineData("1.0.0+build.7", "version == \"1.0.0\"", true)]
    [InlineData("1.0.0+build.7", "version !== \"1.0.0\"", false)]
    [InlineData("2.0.0", "(version > \"1.9.0\") === true", true)]
    public void Evaluate_VersionComparison_FollowsSemVerPrecedence(string version, string expression, bool expected)
    {
        Assert.Equal(expected, Evaluate(expression, version: version).Applies);
    }

    [Fact]
    public void Evaluate_SemVerLiteralComparedWithProperty_FollowsSemVerPrecedence()
    {
        var outcome = Evaluate("bootloader >= \"1.2.0\"", """{"bootloader":"1.10.0"}""");

        Assert.True(outcome.Applies);
    }

    [Fact]
    public void Evaluate_ComparisonWithoutVersions_KeepsJavaScriptSemantics()
    {
        var outcome = Evaluate("memory > 512 && name < \"b\"", """{"memory":1024,"name":"a"}""");

        Assert.True(outcome.Applies);
    }

    [Fact]
    public void Evaluate_VersionNotSemVer_FallsBackToJavaScriptComparison()
    {
        var outcome = Evaluate("version == \"1.0.0\"", version: "1.0");

        Assert.Equal(new PolicyOutcome(false, null), outcome);
    }

    [Fact]
    public void Evaluate_MissingProperty_IsUndefinedNotAnError()
    {
        var outcome = Evaluate("region === undefined && typeof pro == \"undefined\"");

        Assert.Equal(new PolicyOutcome(true, null), outcome);
    }

    [Fact]
    public void Evaluate_MissingVersion_IsUndefinedAndComparisonIsFalse()
    {
        var outcome = Evaluate("version >= \"1.0.0\"", version: null);

        Assert.Equal(new PolicyOutcome(false, null), outcome);
    }

    [Fact]
    public void Evaluate_NestedProperty_IsReadable()
    {
        var outcome = Evaluate("hw.board.rev >= 3 && features.includes(\"gps\")", """{"hw":{"board":{"rev":4}},"features":["wifi","gps"]}""");

        Assert.True(outcome.Applies);
    }

    [Fact]
    public void Evaluate_DeviceIdAndTestFlag_AreVariables()
    {
        var outcome = ReleasePolicy.Compile("id.startsWith(\"lab-\") && test").Evaluate(Facts.Device(id: "lab-7", test: true));

        Assert.True(outcome.Applies);
    }

    [Fact]
    public void Evaluate_RuntimeError_DoesNotApplyAndReportsReason()
    {
        var outcome = Evaluate("missing.field == 1");

        Assert.False(outcome.Applies);
        Assert.StartsWith("script error:", outcome.Failure);
    }

    [Fact]
    public void Evaluate_InfiniteLoop_StoppedByLimit()
    {
        var outcome = Evaluate("(() => { while (true) {} })()");

        Assert.False(outcome.Applies);
        Assert.Contains("limit", outcome.Failure);
    }

    [Fact]
    public void Evaluate_HugeLoop_StoppedByLimit()
    {
        var outcome = Evaluate("(() => { let s = 0; for (let i = 0; i < 1e9; i++) { s += i; } return s > 0; })()");

        Assert.False(outcome.Applies);
        Assert.Contains("limit", outcome.Failure);
    }

    [Fact]
    public void Evaluate_UnboundedRecursion_StoppedByLimit()
    {
        var outcome = Evaluate("(function f(n) { return f(n + 1); })(0)");

        Assert.False(outcome.Applies);
        Assert.Contains("recursion limit", outcome.Failure);
    }

    [Fact]
    public void Evaluate_HugeString_StoppedByLimit()
    {
        var outcome = Evaluate("\"x\".repeat(1e8).length > 0");

        Assert.False(outcome.Applies);
        Assert.NotNull(outcome.Failure);
    }

    [Fact]
    public void Evaluate_CatastrophicRegex_StoppedByLimit()
    {
        var outcome = Evaluate("/^(a+)+$/.test(\"a\".repeat(40) + \"!\")");

        Assert.False(outcome.Applies);
        Assert.NotNull(outcome.Failure);
    }

    [Fact]
    public void Evaluate_TrailingSemicolonAndComment_Accepted()
    {
        var outcome = Evaluate("pro == true; // beta testers", """{"pro":true}""");

        Assert.True(outcome.Applies);
    }

    [Theory]
    [InlineData("System.IO.File.Exists(\"/etc/passwd\")")]
    [InlineData("importNamespace(\"System.IO\")")]
    [InlineData("eval(\"1 == 1\")")]
    [InlineData("new Function(\"return true\")()")]
    public void Evaluate_HostAccess_NotAvailable(string expression)
    {
        var outcome = Evaluate(expression);

        Assert.False(outcome.Applies);
        Assert.NotNull(outcome.Failure);
    }

    [Fact]
    public void Evaluate_PolicyChangesGlobals_NextEvaluationUnaffected()
    {
        var policy = ReleasePolicy.Compile("(globalThis.seen = (globalThis.seen || 0) + 1) == 1");

        Assert.True(policy.Evaluate(Facts.Device()).Applies);
        Assert.True(policy.Evaluate(Facts.Device()).Applies);
    }

    [Fact]
    public async Task Evaluate_ConcurrentEvaluations_EachSeesItsOwnDevice()
    {
        var policy = ReleasePolicy.Compile("n % 2 == 0");

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(n =>
            Task.Run(() => (n, policy.Evaluate(Facts.Device(properties: $$"""{"n":{{n}}}""")).Applies))));

        Assert.All(results, r => Assert.Equal(r.n % 2 == 0, r.Applies));
    }

    [Theory]
    [InlineData("version >= ")]
    [InlineData("model == \"x1\" &&& pro")]
    [InlineData("(pro")]
    public void Compile_SyntaxError_ThrowsValidationException(string expression)
    {
        var error = Assert.Throws<ValidationException>(() => ReleasePolicy.Compile(expression));

        Assert.StartsWith("Release policy is not a valid expression", error.Message);
    }

    [Fact]
    public void Compile_SyntaxError_MessageNamesPosition()
    {
        var error = Assert.Throws<ValidationException>(() => ReleasePolicy.Compile("pro ==\n  == true"));

        Assert.Equal("Release policy is not a valid expression: Unexpected token '==' (line 2, column 3).", error.Message);
    }

    [Fact]
    public void Compile_Statements_ThrowsValidationException()
    {
        var error = Assert.Throws<ValidationException>(() => ReleasePolicy.Compile("var a = 1; a == 1"));

        Assert.Contains("single expression", error.Message);
    }

    [Fact]
    public void Compile_TooLong_ThrowsValidationException()
    {
        var expression = "pro == true || " + new string(' ', ReleasePolicy.MaxLength) + "pro == false";

        var error = Assert.Throws<ValidationException>(() => ReleasePolicy.Compile(expression));

        Assert.Contains("limit is 1000", error.Message);
    }

    [Fact]
    public void Compile_Empty_ThrowsValidationException()
    {
        Assert.Throws<ValidationException>(() => ReleasePolicy.Compile("  "));
    }

    [Fact]
    public void Validate_ReleaseWithInvalidPolicy_ThrowsValidationException()
    {
        var release = Facts.Release("1.0.0", policy: "pro ==");

        var error = Assert.Throws<ValidationException>(release.Validate);

        Assert.StartsWith("Release policy is not a valid expression", error.Message);
    }
}

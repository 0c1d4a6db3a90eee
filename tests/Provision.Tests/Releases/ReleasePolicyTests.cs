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
    public void Evaluate_CatastrophicRegex_StoppedByLimit()
    {
        var outcome = Evaluate("/^(a+)+$/.test(serial)", $$"""{"serial":"{{new string('a', 40)}}!"}""");

        Assert.False(outcome.Applies);
        Assert.NotNull(outcome.Failure);
    }

    [Fact]
    public void Evaluate_ConcatenationBeyondStringLimit_DoesNotApplyAndNamesLimit()
    {
        var outcome = Evaluate("(s + s + s + s + s + s + s + s + s + s).length > 0", $$"""{"s":"{{new string('x', 7000)}}"}""");

        Assert.False(outcome.Applies);
        Assert.Contains("string length limit (65536 characters) exceeded", outcome.Failure);
    }

    [Fact]
    public void Evaluate_ConcatenationWithinStringLimit_Applies()
    {
        var outcome = Evaluate("(s + \"-\" + s).length == 14001", $$"""{"s":"{{new string('x', 7000)}}"}""");

        Assert.Equal(new PolicyOutcome(true, null), outcome);
    }

    [Fact]
    public void Evaluate_TrailingSemicolonAndComment_Accepted()
    {
        var outcome = Evaluate("pro == true; // beta testers", """{"pro":true}""");

        Assert.True(outcome.Applies);
    }

    [Theory]
    [InlineData("\"x\".repeat(2**28).length > 0", "call 'repeat'")]
    [InlineData("id.padStart(2**30).length > 0", "call 'padStart'")]
    [InlineData("id.padEnd(2**30).length > 0", "call 'padEnd'")]
    [InlineData("[id, id].join(id).length > 0", "call 'join'")]
    [InlineData("new ArrayBuffer(2**30).byteLength > 0", "use 'new'")]
    [InlineData("new Uint8Array(2**30).length > 0", "use 'new'")]
    [InlineData("ArrayBuffer(2**30)", "call 'ArrayBuffer'")]
    [InlineData("Array(2**30).length > 0", "call 'Array'")]
    [InlineData("Array.from({ length: 2**30 }).length > 0", "call 'from'")]
    [InlineData("id.split(\"\").length > 0", "call 'split'")]
    [InlineData("id.concat(id, id).length > 0", "call 'concat'")]
    [InlineData("JSON.stringify(hw).length > 0", "call 'stringify'")]
    [InlineData("id[\"rep\" + \"eat\"](1e9)", "call a computed function")]
    [InlineData("(10n ** 100000000n) > 0n", "use BigInt values")]
    [InlineData("[...id].length > 0", "spread values")]
    [InlineData("((s) => s + s)(id).length > 0", "define functions")]
    [InlineData("(() => { while (true) {} })()", "define functions")]
    [InlineData("(function f(n) { return f(n + 1); })(0)", "define functions")]
    [InlineData("({ get x() { return 1; } }).x == 1", "define functions")]
    [InlineData("(globalThis.seen = 1) == 1", "assign values")]
    [InlineData("delete hw.board", "delete properties")]
    [InlineData("String.raw`x` == \"x\"", "call tagged templates")]
    [InlineData("System.IO.File.Exists(\"/etc/passwd\")", "call 'Exists'")]
    [InlineData("importNamespace(\"System.IO\")", "call 'importNamespace'")]
    [InlineData("eval(\"1 == 1\")", "call 'eval'")]
    [InlineData("new Function(\"return true\")()", "use 'new'")]
    public void Compile_UnboundedOrHostConstruct_RefusedNamingTheRule(string expression, string rule)
    {
        var error = Assert.Throws<ValidationException>(() => ReleasePolicy.Compile(expression));

        Assert.StartsWith($"Release policy may not {rule}", error.Message);
    }

    [Theory]
    [InlineData("Math.max(memory, 1) >= 256 && id.toLowerCase().startsWith(\"dev\") && parseInt(\"12\") == 12")]
    [InlineData("model.trim().slice(0, 2) == \"T2\" && !isNaN(memory) && String(memory).includes(\"5\")")]
    public void Compile_AllowedCalls_Evaluate(string expression)
    {
        var outcome = ReleasePolicy.Compile(expression).Evaluate(Facts.Device(properties: """{"memory":512,"model":" T2 "}""", id: "Dev-1"));

        Assert.Equal(new PolicyOutcome(true, null), outcome);
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

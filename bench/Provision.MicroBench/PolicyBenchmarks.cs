using BenchmarkDotNet.Attributes;
using Provision.Core.Releases;

namespace Provision.MicroBench;

/// <summary>One policy evaluation (a fresh sandboxed engine each time), JavaScript and Builder syntax.</summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private readonly ReleasePolicy _javaScript = ReleasePolicy.Compile("""version >= "1.1.0" && pro == true && model.startsWith("T")""");
    private readonly ReleasePolicy _builder = ReleasePolicy.Compile("""semver(version, "<", newVersion) && try-beta-features == 1 && model ^= "T" """);

    [Benchmark(Baseline = true)]
    public bool JavaScript_Typed() => _javaScript.Evaluate(Devices.Typed, "1.3.0").Applies;

    [Benchmark]
    public bool JavaScript_Strings() => _javaScript.Evaluate(Devices.Strings, "1.3.0").Applies;

    [Benchmark]
    public bool Builder_Typed() => _builder.Evaluate(Devices.Typed, "1.3.0").Applies;

    [Benchmark]
    public bool Builder_Strings() => _builder.Evaluate(Devices.Strings, "1.3.0").Applies;
}

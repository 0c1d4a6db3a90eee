using BenchmarkDotNet.Running;
using Provision.MicroBench;

BenchmarkSwitcher.FromAssembly(typeof(PolicyBenchmarks).Assembly).Run(args);

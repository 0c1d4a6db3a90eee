using System.Globalization;

namespace Provision.Bench;

/// <param name="Only">"http" or "provisioning" to measure one part; null measures both.</param>
public sealed record BenchOptions(int Devices, int Requests, int Concurrency, string Output, string RepoRoot, string? Only)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var root = FindRoot();
        return new BenchOptions(
            int.Parse(Arg("--devices") ?? "1000", CultureInfo.InvariantCulture),
            int.Parse(Arg("--requests") ?? "400", CultureInfo.InvariantCulture),
            int.Parse(Arg("--concurrency") ?? "16", CultureInfo.InvariantCulture),
            Path.GetFullPath(Arg("--out") ?? Path.Combine(root, "bench", "results.json")),
            root,
            Arg("--only"));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Provision.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Run the benchmark from inside the repository.");
    }
}

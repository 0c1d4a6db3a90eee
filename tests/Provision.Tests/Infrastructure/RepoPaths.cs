namespace Provision.Tests.Infrastructure;

public static class RepoPaths
{
    /// <summary>The repository root: the folder holding Provision.sln above the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Provision.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Provision.sln not found above {AppContext.BaseDirectory}.");
    }
}

using System.Diagnostics;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Infra;

/// <summary>
/// infra/hooks/write-secrets.sh against a stand-in for the Azure CLI that keeps a vault in a folder: each secret
/// is generated once and never replaced, so re-deploying keeps the keys and rotation adds a key beside the old one.
/// </summary>
public sealed class WriteSecretsHookTests : IDisposable
{
    // Answers the few `az keyvault` calls the hook makes from a folder: vault/ exists, vault/<secret> holds a value.
    private const string FakeAz = """
        #!/bin/sh
        state="$FAKE_AZ_STATE"
        echo "$*" >> "$state/calls"
        name=""; prev=""
        for arg in "$@"; do [ "$prev" = "--name" ] && name="$arg"; prev="$arg"; done
        case "$1 $2 $3" in
          "keyvault show "*) [ -d "$state/vault" ] ;;
          "keyvault list-deleted "*) exit 0 ;;
          "keyvault secret show") [ -f "$state/vault/$name" ] ;;
          "keyvault secret show-deleted") exit 1 ;;
          "keyvault secret set") cat > "$state/vault/$name" ;;
          *) echo "unexpected: az $*" >&2; exit 2 ;;
        esac
        """;

    private readonly string _state = Directory.CreateTempSubdirectory("provision-hook-").FullName;

    public WriteSecretsHookTests()
    {
        Directory.CreateDirectory(Path.Combine(_state, "bin"));
        var az = Path.Combine(_state, "bin", "az");
        File.WriteAllText(az, FakeAz.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public async Task Hook_FirstRun_GeneratesBootstrapKeyAndKeyEncryptionKeyOf32RandomBytes()
    {
        Directory.CreateDirectory(Vault);

        await RunAsync("k1");

        Assert.Equal(32, Convert.FromBase64String(Secret("admin-bootstrap-key")).Length);
        Assert.Equal(32, Convert.FromBase64String(Secret("key-encryption-key-k1")).Length);
        Assert.NotEqual(Secret("admin-bootstrap-key"), Secret("key-encryption-key-k1"));
    }

    [Fact]
    public async Task Hook_SecondRun_KeepsEverySecret()
    {
        Directory.CreateDirectory(Vault);
        await RunAsync("k1");
        var before = (Secret("admin-bootstrap-key"), Secret("key-encryption-key-k1"));

        await RunAsync("k1");

        Assert.Equal(before, (Secret("admin-bootstrap-key"), Secret("key-encryption-key-k1")));
    }

    [Fact]
    public async Task Hook_NewKeyId_AddsThatKeyAndKeepsThePreviousOne()
    {
        Directory.CreateDirectory(Vault);
        await RunAsync("k1");
        var previous = Secret("key-encryption-key-k1");

        await RunAsync("k2");

        Assert.Equal(previous, Secret("key-encryption-key-k1"));
        Assert.Equal(32, Convert.FromBase64String(Secret("key-encryption-key-k2")).Length);
        Assert.NotEqual(previous, Secret("key-encryption-key-k2"));
    }

    [Fact]
    public async Task Hook_VaultNotCreatedYet_WritesNothingAndSucceeds()
    {
        await RunAsync("k1");

        Assert.DoesNotContain("secret set", File.ReadAllText(Path.Combine(_state, "calls")));
    }

    private string Vault => Path.Combine(_state, "vault");

    private string Secret(string name) => File.ReadAllText(Path.Combine(Vault, name));

    private async Task RunAsync(string keyId)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "infra", "hooks", "write-secrets.sh"));
        start.Environment["PATH"] = Path.Combine(_state, "bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["FAKE_AZ_STATE"] = _state;
        start.Environment["AZURE_KEY_VAULT_NAME"] = "kv-test";
        start.Environment["PROVISION_KEY_ENCRYPTION_KEY_ID"] = keyId;
        using var hook = Process.Start(start)!;
        var output = await hook.StandardOutput.ReadToEndAsync() + await hook.StandardError.ReadToEndAsync();
        await hook.WaitForExitAsync();

        Assert.True(hook.ExitCode == 0, output);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}

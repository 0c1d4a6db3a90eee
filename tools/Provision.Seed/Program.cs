using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provision.Core;
using Provision.Core.Admin;
using Provision.Seed;

// Seeds demo data into the storage named by local.settings.json and prints curl commands to try it.
// Usage: dotnet run --project tools/Provision.Seed -- [path/to/local.settings.json] [api base url]
var settingsPath = args.Length > 0 ? args[0] : "local.settings.json";
var api = (args.Length > 1 ? args[1] : SeedText.DefaultApi).TrimEnd('/');

try
{
    var configuration = new ConfigurationBuilder().AddInMemoryCollection(LocalSettings.Load(settingsPath)).Build();
    await using var services = SeedHost.Build(configuration);
    var result = await services.GetRequiredService<DemoSeed>().RunAsync();
    var bootstrapKey = services.GetRequiredService<IOptions<AdminOptions>>().Value.BootstrapKey;
    Console.WriteLine(SeedText.Format(result, api, bootstrapKey));
    return 0;
}
catch (Exception e) when (e is FileNotFoundException or InvalidDataException or System.Text.Json.JsonException or OptionsValidationException)
{
    Console.Error.WriteLine($"Seed: {settingsPath}: {e.Message}");
    return 1;
}
catch (StorageUnavailableException e)
{
    Console.Error.WriteLine($"Seed: storage is not reachable ({e.Message}). Is Azurite running? ./scripts/run.sh starts it.");
    return 1;
}
catch (Exception e) when (e is ValidationException or EntityExistsException or ConcurrencyException)
{
    Console.Error.WriteLine($"Seed: {e.Message}");
    return 1;
}

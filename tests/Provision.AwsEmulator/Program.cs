using Microsoft.Extensions.Configuration;
using Provision.Emulators.Aws;

// Standalone: dotnet run --project tests/Provision.AwsEmulator -- --urls http://127.0.0.1:4566
var settings = new ConfigurationBuilder().AddCommandLine(args).Build();
var options = new AwsEmulatorOptions { Url = settings["urls"] ?? "http://127.0.0.1:4566" };
options.Region = settings["region"] ?? options.Region;
options.AccountId = settings["account-id"] ?? options.AccountId;

await using var emulator = await AwsEmulator.StartAsync(options);
Console.WriteLine($"AWS emulator (IoT, IoT data, STS) listening on {emulator.BaseAddress}");
Console.WriteLine($"  region            {emulator.Region}");
Console.WriteLine($"  account id        {emulator.AccountId}");
Console.WriteLine($"  access key id     {emulator.AccessKeyId}");
Console.WriteLine($"  secret access key {emulator.SecretAccessKey}");
Console.WriteLine("Point Aws__IotEndpoint, Aws__IotDataEndpoint and Aws__StsEndpoint at that address and set");
Console.WriteLine("AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY to the key above. Ctrl+C stops it.");

await emulator.WaitForShutdownAsync();

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json.Nodes;
using Provision.Emulators.Aws;
using Provision.FunctionsHost;
using Provision.Tests.Infrastructure;

namespace Provision.EndToEndTests.Infrastructure;

/// <summary>
/// The app as it runs: its real worker process under the Functions host emulator, on Azurite and the AWS emulator,
/// called over real HTTP. One per test run.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    public const string AdminKey = "e2e-bootstrap-key-0123456789abcdef0123456789";

    private Azurite storage = null!;

    public AwsEmulator Aws { get; private set; } = null!;
    public Provision.FunctionsHost.FunctionsHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string QueueName { get; } = "e2e" + Guid.NewGuid().ToString("N")[..12];
    public string StorageConnectionString => storage.ConnectionString;

    public async Task InitializeAsync()
    {
        var aws = new AwsEmulatorOptions();
        foreach (var operation in new[] { "CreateKeysAndCertificate", "CreatePolicy", "GetPolicy", "AttachPolicy", "UpdateCertificate" })
        {
            aws.Quotas[operation] = 1000;
        }
        storage = Azurite.StartPrivate();
        Aws = await AwsEmulator.StartAsync(aws);
        Host = await StartHostAsync(storage.ConnectionString, Aws, QueueName);
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Aws.DisposeAsync();
        storage.Stop();
    }

    /// <summary>The function app's build output, built with the tests.</summary>
    public static string AppDirectory => Path.GetFullPath(typeof(AppFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "FunctionAppDirectory").Value!);

    /// <summary>The host over the local settings sample, pointed at the given storage and AWS emulator, with fast queue retries.</summary>
    public static Task<Provision.FunctionsHost.FunctionsHost> StartHostAsync(string storage, AwsEmulator aws, string queueName) =>
        Provision.FunctionsHost.FunctionsHost.StartAsync(new FunctionsHostOptions
        {
            AppDirectory = AppDirectory,
            SettingsFile = Path.Combine(RepoPaths.Root, "local.settings.sample.json"),
            Settings = new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = storage,
                ["Storage__TablePrefix"] = "e" + Guid.NewGuid().ToString("N")[..12],
                ["ProvisionQueueName"] = queueName,
                ["Admin__BootstrapKey"] = AdminKey,
                ["Aws__Region"] = aws.Region,
                ["Aws__AccountId"] = aws.AccountId,
                ["Aws__IotEndpoint"] = aws.BaseAddress.ToString(),
                ["Aws__IotDataEndpoint"] = aws.BaseAddress.ToString(),
                ["Aws__StsEndpoint"] = aws.BaseAddress.ToString(),
                ["Aws__MaxRetryAttempts"] = "2",
                ["Aws__RetryBaseDelay"] = "00:00:00.010",
                ["AWS_ACCESS_KEY_ID"] = aws.AccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = aws.SecretAccessKey,
                ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00.200",
                ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.500",
            },
        });

    public HttpRequestMessage Admin(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return request;
    }

    public static HttpRequestMessage Device(string path, string token, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>
    /// Sends and answers the JSON body, failing with the body when the status is not the expected one. A device
    /// answer must also come with a Content-Length, never chunked: the C updater reads nothing else.
    /// </summary>
    public async Task<JsonNode> SendAsync(HttpRequestMessage request, int expectedStatus)
    {
        using (request)
        {
            using var response = await Http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            var text = System.Text.Encoding.UTF8.GetString(body);
            Assert.True((int)response.StatusCode == expectedStatus, $"{request.Method} {request.RequestUri}: expected {expectedStatus}, got {(int)response.StatusCode} {text}");
            if (!request.RequestUri!.AbsolutePath.StartsWith("/manage/", StringComparison.Ordinal))
            {
                Assert.True(response.Headers.TransferEncodingChunked != true && response.Content.Headers.ContentLength == body.Length,
                    $"{request.Method} {request.RequestUri}: a device answer needs Content-Length {body.Length}, got {response.Content.Headers.ContentLength?.ToString() ?? "none"} (chunked: {response.Headers.TransferEncodingChunked})");
            }
            return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
        }
    }

    /// <summary>A new product; answers its id and product token.</summary>
    public async Task<(string Id, string Token)> CreateProductAsync()
    {
        var id = "p" + Guid.NewGuid().ToString("N")[..10];
        var product = await SendAsync(Admin(HttpMethod.Post, "manage/products", new { id, name = "End to end" }), 201);
        return (id, (string)product["token"]!);
    }

    /// <summary>A device registered with its product's token; answers its id and device token.</summary>
    public async Task<(string Id, string Token)> RegisterDeviceAsync(string productId, string productToken)
    {
        var id = "D" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        var registered = await SendAsync(Device("device/register", productToken, new { id, product = productId }), 200);
        return (id, (string)registered["token"]!);
    }

    /// <summary>Waits until <paramref name="done"/> holds, or fails after <paramref name="seconds"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> done, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {seconds} s waiting for: {what}");
            await Task.Delay(200);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}

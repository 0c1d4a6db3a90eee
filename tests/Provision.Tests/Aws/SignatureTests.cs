using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

/// <summary>The emulator checks every SigV4 signature and rejects bad ones the way AWS does.</summary>
public sealed class SignatureTests(AwsEmulatorFixture fixture) : AwsTestBase(fixture)
{
    [Fact]
    public async Task DescribeThing_WrongSecret_ThrowsUnauthorized()
    {
        using var services = Fixture.CreateServices(credentials: new BasicAWSCredentials(Emulator.AccessKeyId, "wrong-secret"));
        var iot = services.GetRequiredService<IIotClient>();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => iot.DescribeThingAsync(NewName()));

        Assert.Equal((AwsErrorKind.Unauthorized, "InvalidSignatureException"), (error.Kind, error.ErrorCode));
    }

    [Fact]
    public async Task DescribeThing_UnknownAccessKey_ThrowsUnauthorized()
    {
        using var services = Fixture.CreateServices(credentials: new BasicAWSCredentials("AKIAUNKNOWNKEY000000", Emulator.SecretAccessKey));
        var iot = services.GetRequiredService<IIotClient>();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => iot.DescribeThingAsync(NewName()));

        Assert.Equal((AwsErrorKind.Unauthorized, "UnrecognizedClientException"), (error.Kind, error.ErrorCode));
    }

    [Fact]
    public async Task DescribeThing_WrongRegion_ThrowsUnauthorized()
    {
        using var services = Fixture.CreateServices(s => s["Aws:Region"] = "eu-west-1");
        var iot = services.GetRequiredService<IIotClient>();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => iot.DescribeThingAsync(NewName()));

        Assert.Equal((AwsErrorKind.Unauthorized, "InvalidSignatureException"), (error.Kind, error.ErrorCode));
    }

    [Fact]
    public async Task DescribeThing_WrongSecret_IsNotRetried()
    {
        using var services = Fixture.CreateServices(credentials: new BasicAWSCredentials(Emulator.AccessKeyId, "wrong-secret"));
        var iot = services.GetRequiredService<IIotClient>();

        await Assert.ThrowsAsync<AwsServiceException>(() => iot.DescribeThingAsync(NewName()));

        Assert.Equal(1, Emulator.Journal.Count("DescribeThing"));
    }

    [Fact]
    public async Task Request_SignedForAnotherService_IsRejected()
    {
        using var response = await SendAsync(Signer("s3"), HttpMethod.Get, "/things/x");

        Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), (response.StatusCode, ErrorType(response)));
    }

    [Fact]
    public async Task Request_ControlPlaneSignedForDataPlane_IsRejected()
    {
        using var response = await SendAsync(Signer("iotdata"), HttpMethod.Get, "/things/x");

        Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), (response.StatusCode, ErrorType(response)));
    }

    [Fact]
    public async Task Request_Unsigned_IsRejectedAsMissingToken()
    {
        using var response = await SendAsync(new SocketsHttpHandler(), HttpMethod.Get, "/things/x");

        Assert.Equal((HttpStatusCode.Forbidden, "MissingAuthenticationTokenException"), (response.StatusCode, ErrorType(response)));
    }

    [Fact]
    public async Task Request_SignedTenMinutesAgo_IsRejected()
    {
        var parameters = new AWSSigV4Parameters
        {
            Credentials = new BasicAWSCredentials(Emulator.AccessKeyId, Emulator.SecretAccessKey),
            Region = RegionEndpoint.USEast1,
            Service = "iot",
            SignedAt = DateTime.UtcNow.AddMinutes(-10),
        };

        using var response = await SendAsync(new SigV4SigningHandler(parameters, new SocketsHttpHandler()), HttpMethod.Get, "/things/x");

        Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), (response.StatusCode, ErrorType(response)));
    }

    [Fact]
    public async Task Request_BodyChangedAfterSigning_IsRejected()
    {
        var handler = new SigV4SigningHandler(
            new BasicAWSCredentials(Emulator.AccessKeyId, Emulator.SecretAccessKey),
            RegionEndpoint.USEast1,
            "iot",
            new TamperingHandler { InnerHandler = new SocketsHttpHandler() });

        using var response = await SendAsync(handler, HttpMethod.Post, $"/things/{NewName()}", "{}");

        Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), (response.StatusCode, ErrorType(response)));
    }

    [Fact]
    public async Task Request_CorrectlySigned_IsAccepted()
    {
        var thing = await CreateThingAsync();

        using var response = await SendAsync(Signer("iot"), HttpMethod.Get, $"/things/{thing.ThingName}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private SigV4SigningHandler Signer(string service) => new(
        new BasicAWSCredentials(Emulator.AccessKeyId, Emulator.SecretAccessKey),
        RegionEndpoint.USEast1,
        service,
        new SocketsHttpHandler());

    private async Task<HttpResponseMessage> SendAsync(HttpMessageHandler handler, HttpMethod method, string path, string? body = null)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("raw").ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("raw");
        using var request = new HttpRequestMessage(method, new Uri(Emulator.BaseAddress, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request);
    }

    private static string? ErrorType(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.Single().Split(':')[0] : null;

    /// <summary>Changes the body after it was signed, as a man in the middle would.</summary>
    private sealed class TamperingHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Content!.Headers.ToList();
            request.Content = new StringContent("{\"thingTypeName\":\"evil\"}");
            request.Content.Headers.Clear();
            foreach (var (name, values) in headers)
            {
                if (name != "Content-Length")
                {
                    request.Content.Headers.TryAddWithoutValidation(name, values);
                }
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}

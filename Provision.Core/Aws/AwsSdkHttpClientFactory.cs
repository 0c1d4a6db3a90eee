using Amazon.Runtime;

namespace Provision.Core.Aws;

/// <summary>Lets AWS SDK clients send through IHttpClientFactory instead of creating their own HttpClient.</summary>
internal sealed class AwsSdkHttpClientFactory(System.Net.Http.IHttpClientFactory httpClients, string clientName) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => httpClients.CreateClient(clientName);

    // IHttpClientFactory pools and rotates the handlers itself.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
}

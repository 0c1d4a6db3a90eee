using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;
using Amazon.SecurityToken;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Provision.Core.Aws;

public static class AwsServiceCollectionExtensions
{
    /// <summary>Key of the <see cref="TokenCredential"/> whose token is exchanged for the service's AWS identity.</summary>
    public const string WebIdentityTokenCredentialKey = "Provision.Aws.WebIdentity";

    internal const string StsClientName = "Provision.Aws.Sts";

    /// <summary>
    /// Binds Aws, Iot and Cloud settings and registers <see cref="IIotClient"/> and <see cref="IDeviceCredentialIssuer"/>.
    /// The AWS identity is an <see cref="AWSCredentials"/> registered before this call, else web identity
    /// (Aws:WebIdentityRoleArn), else the AWS SDK default credential chain.
    /// </summary>
    public static IServiceCollection AddAwsIntegration(this IServiceCollection services)
    {
        services.AddOptions<AwsOptions>().BindConfiguration(AwsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IotOptions>().BindConfiguration(IotOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CloudOptions>().BindConfiguration(CloudOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AwsPacingOptions>().BindConfiguration(AwsPacingOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddKeyedSingleton<TokenCredential>(WebIdentityTokenCredentialKey, (sp, _) =>
        {
            var clientId = sp.GetRequiredService<IOptions<AwsOptions>>().Value.ManagedIdentityClientId;
            return new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId));
        });
        services.TryAddSingleton(CreateCredentials);

        AddSignedClient(services, IotHttpClient.ControlPlaneClientName, "iot", paced: true);
        AddSignedClient(services, IotHttpClient.DataPlaneClientName, "iotdata", paced: false);
        services.AddHttpClient(StsClientName);
        services.AddResiliencePipeline(StsDeviceCredentialIssuer.PipelineName, (builder, context) =>
            AwsResilience.ConfigureSts(builder, context.ServiceProvider.GetRequiredService<IOptions<AwsOptions>>().Value));

        services.TryAddSingleton<IIotClient, IotHttpClient>();
        services.TryAddSingleton<IDeviceCredentialIssuer>(sp => new StsDeviceCredentialIssuer(
            CreateSts(sp, sp.GetRequiredService<AWSCredentials>()),
            sp.GetRequiredService<ResiliencePipelineProvider<string>>(),
            sp.GetRequiredService<IOptions<AwsOptions>>(),
            sp.GetRequiredService<IOptions<CloudOptions>>(),
            sp.GetRequiredService<ILogger<StsDeviceCredentialIssuer>>()));
        return services;
    }

    private static void AddSignedClient(IServiceCollection services, string name, string signingName, bool paced)
    {
        var client = services.AddHttpClient(name)
            // Signing is the innermost step so that every retry is signed afresh.
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var aws = sp.GetRequiredService<IOptions<AwsOptions>>().Value;
                return new SigV4SigningHandler(
                    sp.GetRequiredService<AWSCredentials>(),
                    RegionEndpoint.GetBySystemName(aws.Region),
                    signingName,
                    new SocketsHttpHandler { AllowAutoRedirect = false });
            });
        client.AddResilienceHandler(name, (builder, context) =>
            AwsResilience.ConfigureIot(builder, context.ServiceProvider.GetRequiredService<IOptions<AwsOptions>>().Value));
        if (paced)
        {
            // Inside the retries, so every attempt waits its turn; the pacer (registered with storage) is shared by every instance.
            client.AddHttpMessageHandler(sp => new AwsPacingHandler(sp.GetService<IAwsPacer>()));
        }
    }

    private static AWSCredentials CreateCredentials(IServiceProvider sp)
    {
        var aws = sp.GetRequiredService<IOptions<AwsOptions>>().Value;
        if (string.IsNullOrEmpty(aws.WebIdentityRoleArn))
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }

        // AssumeRoleWithWebIdentity is an unsigned call: the token is the proof.
        return new WebIdentityAwsCredentials(
            sp.GetRequiredKeyedService<TokenCredential>(WebIdentityTokenCredentialKey),
            CreateSts(sp, new AnonymousAWSCredentials()),
            aws.WebIdentityRoleArn,
            aws.WebIdentityAudience);
    }

    private static AmazonSecurityTokenServiceClient CreateSts(IServiceProvider sp, AWSCredentials credentials)
    {
        var aws = sp.GetRequiredService<IOptions<AwsOptions>>().Value;
        var config = new AmazonSecurityTokenServiceConfig
        {
            // Retries come from the resilience pipeline, where they are configured.
            MaxErrorRetry = 0,
            HttpClientFactory = new AwsSdkHttpClientFactory(sp.GetRequiredService<System.Net.Http.IHttpClientFactory>(), StsClientName),
            Timeout = aws.AttemptTimeout,
        };
        if (string.IsNullOrEmpty(aws.StsEndpoint))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(aws.Region);
        }
        else
        {
            config.ServiceURL = aws.StsEndpoint;
            config.AuthenticationRegion = aws.Region;
        }

        return new AmazonSecurityTokenServiceClient(credentials, config);
    }
}

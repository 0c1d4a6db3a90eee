using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Credentials;
using Provision.Core.Devices;
using Provision.Core.Provisioning;
using Provision.Core.Releases;
using Provision.Core.Security;
using Provision.Core.Updates;

namespace Provision.Core;

public static class DeviceServiceCollectionExtensions
{
    /// <summary>The device-facing services: authentication, registration, claim, provisioning, certificates, credentials.</summary>
    public static IServiceCollection AddDeviceServices(this IServiceCollection services)
    {
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CredentialsOptions>().BindConfiguration(CredentialsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReissueOptions>().BindConfiguration(ReissueOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FleetDeviceOptions>().BindConfiguration(FleetDeviceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReregistrationOptions>().BindConfiguration(ReregistrationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProductRegistrationOptions>().BindConfiguration(ProductRegistrationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CheckinOptions>().BindConfiguration(CheckinOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IPrivateKeyProtector, PrivateKeyProtector>();
        services.AddSingleton<IDeviceAuthenticator, DeviceAuthenticator>();
        services.AddSingleton<IRegistrationService, RegistrationService>();
        services.AddSingleton<IClaimService, ClaimService>();
        services.AddSingleton<IProvisioningPipeline, ProvisioningPipeline>();
        services.AddSingleton<ICertificateService, CertificateService>();
        services.AddSingleton<ICredentialsService, CredentialsService>();
        services.AddSingleton<IKeyPurger, KeyPurger>();
        services.AddReleaseSelection();
        services.AddSingleton<ICheckinService, CheckinService>();
        return services;
    }
}

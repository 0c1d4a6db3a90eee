using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Admin;
using Provision.Core.Aws;
using Provision.Core.Storage;

namespace Provision.Core;

public static class ProvisionCoreServiceCollectionExtensions
{
    /// <summary>Every Core service, with its settings bound and validated: what the function app and the seed tool share.</summary>
    public static IServiceCollection AddProvisionCore(this IServiceCollection services)
    {
        services.AddProvisionStorage();
        services.AddAwsIntegration();
        services.AddDeviceServices();
        services.AddAdminServices();
        return services;
    }
}

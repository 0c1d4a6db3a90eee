using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Storage;

namespace Provision.Core.Admin;

public static class AdminServiceCollectionExtensions
{
    /// <summary>The operator-facing services: admin keys, products, devices and releases.</summary>
    public static IServiceCollection AddAdminServices(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>()
            .BindConfiguration(AdminOptions.Section)
            // func start runs the host in the Development environment; Azure never does.
            .Configure<IConfiguration>((options, configuration) => options.LocalDevelopment =
                string.Equals(configuration["AZURE_FUNCTIONS_ENVIRONMENT"], "Development", StringComparison.OrdinalIgnoreCase))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IAdminKeyStore, TableAdminKeyStore>();
        services.AddSingleton<AdminKeyService>();
        services.AddSingleton<IAdminKeyService>(sp => sp.GetRequiredService<AdminKeyService>());
        services.AddSingleton<IAdminAuthenticator>(sp => sp.GetRequiredService<AdminKeyService>());
        services.AddSingleton<IProductAdmin, ProductAdmin>();
        services.AddSingleton<IFleetTokenAdmin, FleetTokenAdmin>();
        services.AddSingleton<IDeviceAdmin, DeviceAdmin>();
        services.AddSingleton<IReleaseAdmin, ReleaseAdmin>();
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Admin;

namespace Provision.Functions.Manage;

public static class ManageServiceCollectionExtensions
{
    /// <summary>The management API: the admin services and the gate every management function goes through.</summary>
    public static IServiceCollection AddManagementApi(this IServiceCollection services)
    {
        services.AddAdminServices();
        services.AddSingleton<ManageGate>();
        return services;
    }
}

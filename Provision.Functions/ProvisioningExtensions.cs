using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Provision.Core;
using Provision.Functions.Manage;
using Provision.Functions.Middleware;

namespace Provision.Functions;

public static class ProvisioningExtensions
{
    /// <summary>Everything the function app needs: middleware and services.</summary>
    public static FunctionsApplicationBuilder AddProvisioning(this FunctionsApplicationBuilder builder)
    {
        builder.UseMiddleware<ExceptionMiddleware>();
        builder.Services.AddProvisioning();
        return builder;
    }

    /// <summary>The service container; tests call this to build the same one the app runs with.</summary>
    public static IServiceCollection AddProvisioning(this IServiceCollection services)
    {
        services.AddProvisionCore();
        services.AddSingleton<ManageGate>();
        return services;
    }
}

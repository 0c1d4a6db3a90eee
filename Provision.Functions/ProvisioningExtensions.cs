using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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
        builder.Logging.AddHotPathFilters();
        builder.Services.AddProvisioning();
        return builder;
    }

    /// <summary>
    /// Framework categories that write Information records on every request (ASP.NET Core hosting and routing, the
    /// HTTP client factory, the worker, Polly) log only warnings: each record would otherwise cross gRPC to the host.
    /// </summary>
    public static ILoggingBuilder AddHotPathFilters(this ILoggingBuilder logging)
    {
        foreach (var category in FrameworkCategories)
        {
            logging.AddFilter(category, LogLevel.Warning);
        }
        return logging;
    }

    public static readonly IReadOnlyList<string> FrameworkCategories =
        ["Microsoft.AspNetCore", "Microsoft.Azure.Functions.Worker", "System.Net.Http.HttpClient", "Polly", "Azure.Core"];

    /// <summary>The service container; tests call this to build the same one the app runs with.</summary>
    public static IServiceCollection AddProvisioning(this IServiceCollection services)
    {
        services.AddProvisionCore();
        services.AddSingleton<ManageGate>();
        return services;
    }
}

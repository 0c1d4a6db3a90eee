using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Provision.Core.Releases;

public static class ReleaseSelectionServiceCollectionExtensions
{
    /// <summary>Registers the cached release catalog and the selector; the <see cref="IReleaseStore"/> comes from <c>AddProvisionStorage</c>.</summary>
    public static IServiceCollection AddReleaseSelection(this IServiceCollection services)
    {
        services.AddOptions<ReleaseCatalogOptions>()
            .BindConfiguration(ReleaseCatalogOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IReleaseCatalog, CachedReleaseCatalog>();
        services.AddSingleton<ReleaseSelector>();
        return services;
    }
}

using System.ComponentModel.DataAnnotations;

namespace Provision.Core.Storage;

/// <summary>Where the registry lives. The account comes from the host's own <c>AzureWebJobsStorage</c> setting.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    /// <summary>Prepended to every table name, so several environments can share one account.</summary>
    [RegularExpression("^([A-Za-z][A-Za-z0-9]{0,29})?$", ErrorMessage = "Storage:TablePrefix must start with a letter and hold only letters and digits (at most 30).")]
    public string TablePrefix { get; set; } = "";

    /// <summary>
    /// The flat setting naming the provisioning queue. The queue trigger binds it as <c>%ProvisionQueueName%</c>:
    /// names in binding expressions stay flat, because Flex Consumption's scale controller reads them raw.
    /// </summary>
    public const string ProvisionQueueSetting = "ProvisionQueueName";

    /// <summary>Queue of provisioning requests, from <see cref="ProvisionQueueSetting"/>; the host moves messages that keep failing to "{name}-poison".</summary>
    [Required, RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$", ErrorMessage = "ProvisionQueueName must be 3-56 lower-case letters, digits or single hyphens, starting and ending with a letter or digit.")]
    public string ProvisionQueue { get; internal set; } = "provision-things";

    /// <summary>Connection string (Azurite, or an account key); filled from <c>AzureWebJobsStorage</c>.</summary>
    public string? ConnectionString { get; internal set; }

    /// <summary>Managed-identity access; filled from <c>AzureWebJobsStorage__tableServiceUri</c> and friends.</summary>
    public Uri? TableServiceUri { get; internal set; }
    public Uri? QueueServiceUri { get; internal set; }
    public string? ManagedIdentityClientId { get; internal set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString) && (TableServiceUri is null || QueueServiceUri is null))
        {
            yield return new ValidationResult(
                "AzureWebJobsStorage is not set: give a connection string (UseDevelopmentStorage=true for Azurite) " +
                "or AzureWebJobsStorage__tableServiceUri and AzureWebJobsStorage__queueServiceUri for a managed identity.");
        }
    }
}

using System.ComponentModel.DataAnnotations;

namespace Provision.Core.Aws;

/// <summary>The service's own AWS identity, region and endpoints (section "Aws").</summary>
public sealed class AwsOptions
{
    public const string Section = "Aws";

    [Required, RegularExpression(@"^[a-z]{2}(-[a-z]+)+-\d+$")]
    public string Region { get; set; } = "us-east-1";

    [Required, RegularExpression(@"^\d{12}$", ErrorMessage = "Aws:AccountId must be the 12-digit AWS account id.")]
    public string AccountId { get; set; } = "";

    /// <summary>Overrides the IoT control-plane URL (https://iot.{region}.amazonaws.com), e.g. to point at the emulator.</summary>
    [Url]
    public string? IotEndpoint { get; set; }

    /// <summary>Overrides the IoT data-plane URL; otherwise it is https:// + DescribeEndpoint(iot:Data-ATS).</summary>
    [Url]
    public string? IotDataEndpoint { get; set; }

    /// <summary>Overrides the STS URL (https://sts.{region}.amazonaws.com).</summary>
    [Url]
    public string? StsEndpoint { get; set; }

    /// <summary>When set, the service's AWS identity is this role, assumed with an Azure managed-identity token.</summary>
    [RegularExpression(@"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")]
    public string? WebIdentityRoleArn { get; set; }

    [Required]
    public string WebIdentityAudience { get; set; } = "api://AzureADTokenExchange";

    /// <summary>Client id of a user-assigned managed identity; empty means the system-assigned identity.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Retries after the first attempt for throttled, 5xx and (idempotent calls only) failed transports.</summary>
    [Range(0, 10)]
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>First retry delay; later delays grow exponentially with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Time allowed for one HTTP attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

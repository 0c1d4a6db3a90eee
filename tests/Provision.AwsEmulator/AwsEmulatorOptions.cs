namespace Provision.Emulators.Aws;

public sealed class AwsEmulatorOptions
{
    /// <summary>Kestrel URL; port 0 picks a free port. Only loopback addresses are served.</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    public string Region { get; set; } = "us-east-1";

    public string AccountId { get; set; } = "123456789012";

    /// <summary>The long-lived key the emulator accepts (AWS's documentation example key by default).</summary>
    public string AccessKeyId { get; set; } = "AKIAIOSFODNN7EXAMPLE";

    public string SecretAccessKey { get; set; } = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /// <summary>What DescribeEndpoint(iot:Data-ATS) answers.</summary>
    public string? DataEndpointAddress { get; set; }

    /// <summary>Applies the default AWS per-operation rate quotas (requests per second).</summary>
    public bool EnforceQuotas { get; set; } = true;

    /// <summary>Overrides of the per-operation quotas, by operation name.</summary>
    public Dictionary<string, double> Quotas { get; } = [];

    /// <summary>RSA keys generated once, ahead of time, for CreateKeysAndCertificate (0: each key is made on the spot), so a benchmark measures the app, not the emulator's key generation.</summary>
    public int KeyPoolSize { get; set; }

    /// <summary>Page size of list operations when the caller does not set maxResults.</summary>
    public int DefaultPageSize { get; set; } = 25;

    /// <summary>Largest allowed difference between a request's x-amz-date and the emulator clock (AWS allows 5 minutes).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}

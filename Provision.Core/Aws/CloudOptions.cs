using System.ComponentModel.DataAnnotations;

namespace Provision.Core.Aws;

/// <summary>The device cloud devices are told about: its name, its public API address and the AWS credentials it hands out (section "Cloud").</summary>
public sealed class CloudOptions
{
    public const string Section = "Cloud";

    /// <summary>Role devices assume: a bare name becomes arn:aws:iam::{Aws:AccountId}:role/{name}.</summary>
    [Required, RegularExpression(@"^([\w+=,.@/-]{1,64}|arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+)$")]
    public string DeviceRole { get; set; } = "IotoDeviceRole";

    /// <summary>At least 30 minutes: the Ioto agent renews its credentials 20 minutes before they expire.</summary>
    [Range(1800, 43200)]
    public int CredentialsDurationSeconds { get; set; } = 3600;

    /// <summary>The cloud's name, answered to devices as <c>cloudName</c>.</summary>
    [Required, StringLength(64, MinimumLength = 1)]
    public string Name { get; set; } = "Provision";

    /// <summary>
    /// The public base URL of the device API (https in Azure), answered to registering devices as <c>api</c>:
    /// the agent sends every later call there and follows no redirects. Never taken from the request.
    /// </summary>
    [Required, RegularExpression(@"^https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-])?$",
        ErrorMessage = "Cloud:PublicUrl must be an absolute http(s) URL without a trailing slash, e.g. https://provision.example.com.")]
    public string PublicUrl { get; set; } = "http://localhost:7071";
}

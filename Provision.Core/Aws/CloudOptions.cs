using System.ComponentModel.DataAnnotations;

namespace Provision.Core.Aws;

/// <summary>Temporary AWS credentials handed to devices (section "Cloud").</summary>
public sealed class CloudOptions
{
    public const string Section = "Cloud";

    /// <summary>Role devices assume: a bare name becomes arn:aws:iam::{Aws:AccountId}:role/{name}.</summary>
    [Required, RegularExpression(@"^([\w+=,.@/-]{1,64}|arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+)$")]
    public string DeviceRole { get; set; } = "IotoDeviceRole";

    /// <summary>At least 30 minutes: the Ioto agent renews its credentials 20 minutes before they expire.</summary>
    [Range(1800, 43200)]
    public int CredentialsDurationSeconds { get; set; } = 3600;
}

using System.ComponentModel.DataAnnotations;

namespace Provision.Core.Admin;

/// <summary>The admin API's settings (section "Admin").</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>
    /// A secret that always authenticates as an administrator, so the first admin keys can be created.
    /// In Azure a Key Vault reference; generate it with <c>openssl rand -base64 32</c>.
    /// </summary>
    [Required(ErrorMessage = "Admin:BootstrapKey is required: a random secret of at least 32 characters (openssl rand -base64 32).")]
    [MinLength(32, ErrorMessage = "Admin:BootstrapKey must be at least 32 characters long.")]
    public string BootstrapKey { get; set; } = "";
}

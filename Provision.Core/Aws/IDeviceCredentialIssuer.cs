namespace Provision.Core.Aws;

/// <summary>Issues short-lived AWS credentials to a device.</summary>
public interface IDeviceCredentialIssuer
{
    Task<DeviceCredentials> IssueAsync(DeviceCredentialRequest request, CancellationToken cancellationToken = default);
}

public sealed record DeviceCredentialRequest(string DeviceId, string ProductId, string AccountId);

public sealed record DeviceCredentials(
    string AccessKeyId,
    string SecretAccessKey,
    string SessionToken,
    DateTimeOffset Expiration,
    string Region)
{
    // Keeps the secret and session token out of logs.
    public override string ToString() => $"DeviceCredentials {{ AccessKeyId = {AccessKeyId}, Expiration = {Expiration:O}, Region = {Region} }}";
}

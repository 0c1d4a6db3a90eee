using System.Text;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Provision.Core.Aws;

/// <summary>Device credentials from STS AssumeRole of the device role, tagged for attribute-based access control.</summary>
internal sealed class StsDeviceCredentialIssuer(
    IAmazonSecurityTokenService sts,
    ResiliencePipelineProvider<string> pipelines,
    IOptions<AwsOptions> awsOptions,
    IOptions<CloudOptions> cloudOptions,
    ILogger<StsDeviceCredentialIssuer> log) : IDeviceCredentialIssuer
{
    internal const string PipelineName = "Provision.Aws.Sts";

    public async Task<DeviceCredentials> IssueAsync(DeviceCredentialRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.DeviceId);
        var aws = awsOptions.Value;
        var cloud = cloudOptions.Value;
        var assume = new AssumeRoleRequest
        {
            RoleArn = RoleArn(cloud.DeviceRole, aws.AccountId),
            RoleSessionName = SessionName(request.DeviceId),
            DurationSeconds = cloud.CredentialsDurationSeconds,
            Tags =
            [
                new Tag { Key = "deviceId", Value = request.DeviceId },
                new Tag { Key = "productId", Value = request.ProductId },
                new Tag { Key = "accountId", Value = request.AccountId },
            ],
        };

        AssumeRoleResponse response;
        try
        {
            response = await pipelines.GetPipeline(PipelineName).ExecuteAsync(
                async token => await sts.AssumeRoleAsync(assume, token), cancellationToken);
        }
        catch (AmazonServiceException e)
        {
            log.LogWarning("STS AssumeRole for {DeviceId} failed: {ErrorCode} ({StatusCode})", request.DeviceId, e.ErrorCode, (int)e.StatusCode);
            throw new AwsServiceException(AwsServiceException.KindOf(e.ErrorCode, (int)e.StatusCode), "AssumeRole", e.Message, e.ErrorCode, (int)e.StatusCode, innerException: e);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or IOException or Polly.Timeout.TimeoutRejectedException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            log.LogWarning(e, "STS AssumeRole for {DeviceId} could not be completed", request.DeviceId);
            throw new AwsServiceException(AwsErrorKind.ServiceUnavailable, "AssumeRole", "AWS STS could not be reached", innerException: e);
        }

        var credentials = response.Credentials;
        var expiration = DateTime.SpecifyKind(credentials.Expiration ?? DateTime.UtcNow.AddSeconds(cloud.CredentialsDurationSeconds), DateTimeKind.Utc);
        log.LogInformation("Issued AWS credentials to {DeviceId} until {Expiration}", request.DeviceId, expiration);
        return new DeviceCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, expiration, aws.Region);
    }

    /// <summary>A bare role name becomes an ARN in the configured account.</summary>
    internal static string RoleArn(string role, string accountId) =>
        role.StartsWith("arn:", StringComparison.Ordinal) ? role : $"arn:aws:iam::{accountId}:role/{role}";

    /// <summary>STS allows [\w+=,.@-]{2,64}: other characters become '-', short names are padded, long ones cut.</summary>
    internal static string SessionName(string deviceId)
    {
        var name = new StringBuilder(64);
        foreach (var c in deviceId)
        {
            if (name.Length == 64)
            {
                break;
            }

            name.Append(char.IsAsciiLetterOrDigit(c) || "_+=,.@-".Contains(c) ? c : '-');
        }

        while (name.Length < 2)
        {
            name.Append('-');
        }

        return name.ToString();
    }
}

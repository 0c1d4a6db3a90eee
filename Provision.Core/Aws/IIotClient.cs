namespace Provision.Core.Aws;

/// <summary>The AWS IoT Core operations Provision uses (control plane and data-plane publish).</summary>
public interface IIotClient
{
    /// <summary>The account's MQTT host (iot:Data-ATS), fetched once and cached.</summary>
    Task<string> DescribeDataEndpointAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates the thing; the same configuration again succeeds, another one is <see cref="AwsErrorKind.AlreadyExists"/>.</summary>
    Task<IotThing> CreateThingAsync(IotThingSpec spec, CancellationToken cancellationToken = default);

    Task<IotThing> DescribeThingAsync(string thingName, CancellationToken cancellationToken = default);

    /// <summary>Deletes the thing; a missing thing is not an error (as in AWS).</summary>
    Task DeleteThingAsync(string thingName, CancellationToken cancellationToken = default);

    /// <summary>Never retried after a timeout or lost connection: that case is <see cref="AwsErrorKind.OutcomeUnknown"/>.</summary>
    Task<IotCertificate> CreateKeysAndCertificateAsync(bool setAsActive, CancellationToken cancellationToken = default);

    /// <summary>Never retried after a timeout or lost connection: that case is <see cref="AwsErrorKind.OutcomeUnknown"/>.</summary>
    Task<IotCertificate> CreateCertificateFromCsrAsync(string csrPem, bool setAsActive, CancellationToken cancellationToken = default);

    Task UpdateCertificateAsync(string certificateId, IotCertificateStatus newStatus, CancellationToken cancellationToken = default);

    /// <summary>The certificate must be inactive or revoked and detached from things.</summary>
    Task DeleteCertificateAsync(string certificateId, bool forceDelete = false, CancellationToken cancellationToken = default);

    Task AttachPolicyAsync(string policyName, string targetArn, CancellationToken cancellationToken = default);

    Task DetachPolicyAsync(string policyName, string targetArn, CancellationToken cancellationToken = default);

    Task AttachThingPrincipalAsync(string thingName, string principalArn, CancellationToken cancellationToken = default);

    Task DetachThingPrincipalAsync(string thingName, string principalArn, CancellationToken cancellationToken = default);

    /// <summary>Every principal attached to the thing (all pages).</summary>
    Task<IReadOnlyList<string>> ListThingPrincipalsAsync(string thingName, CancellationToken cancellationToken = default);

    /// <summary>Gets the policy, creating it from the Iot:PolicyDocument template when missing.</summary>
    Task<IotPolicy> EnsurePolicyAsync(string? policyName = null, CancellationToken cancellationToken = default);

    Task AddThingToThingGroupAsync(string thingName, string thingGroupName, CancellationToken cancellationToken = default);

    /// <summary>Publishes to an MQTT topic through the data plane (POST /topics/{topic}).</summary>
    Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, int qos = 0, bool retain = false, CancellationToken cancellationToken = default);
}

/// <summary>A thing to create: attributes productId and accountId; thing type defaults to Iot:ThingType.</summary>
public sealed record IotThingSpec(string ThingName, string ProductId, string AccountId, string? ThingTypeName = null);

public sealed record IotThing(
    string ThingName,
    string ThingArn,
    string ThingId,
    string? ThingTypeName,
    IReadOnlyDictionary<string, string> Attributes);

public sealed record IotCertificate(string CertificateId, string CertificateArn, string CertificatePem, string? PrivateKeyPem)
{
    // Keeps the certificate and private key out of logs and exception messages.
    public override string ToString() => $"IotCertificate {{ CertificateId = {CertificateId}, CertificateArn = {CertificateArn} }}";
}

public sealed record IotPolicy(string PolicyName, string PolicyArn, string PolicyDocument, bool Created);

public enum IotCertificateStatus
{
    Active,
    Inactive,
    Revoked,
}

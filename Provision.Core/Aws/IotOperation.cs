namespace Provision.Core.Aws;

/// <summary>An AWS IoT operation as the retry policy sees it.</summary>
/// <param name="Idempotent">False when repeating a call whose outcome is unknown could create a second resource.</param>
internal sealed record IotOperation(string Name, bool Idempotent)
{
    public static readonly HttpRequestOptionsKey<IotOperation> RequestOptionKey = new("Provision.Aws.IotOperation");

    public static readonly IotOperation DescribeEndpoint = new(nameof(DescribeEndpoint), true);
    public static readonly IotOperation CreateThing = new(nameof(CreateThing), true);
    public static readonly IotOperation DescribeThing = new(nameof(DescribeThing), true);
    public static readonly IotOperation DeleteThing = new(nameof(DeleteThing), true);
    public static readonly IotOperation CreateKeysAndCertificate = new(nameof(CreateKeysAndCertificate), false);
    public static readonly IotOperation CreateCertificateFromCsr = new(nameof(CreateCertificateFromCsr), false);
    public static readonly IotOperation UpdateCertificate = new(nameof(UpdateCertificate), true);
    public static readonly IotOperation DeleteCertificate = new(nameof(DeleteCertificate), true);
    public static readonly IotOperation AttachPolicy = new(nameof(AttachPolicy), true);
    public static readonly IotOperation DetachPolicy = new(nameof(DetachPolicy), true);
    public static readonly IotOperation AttachThingPrincipal = new(nameof(AttachThingPrincipal), true);
    public static readonly IotOperation DetachThingPrincipal = new(nameof(DetachThingPrincipal), true);
    public static readonly IotOperation ListThingPrincipals = new(nameof(ListThingPrincipals), true);
    public static readonly IotOperation GetPolicy = new(nameof(GetPolicy), true);

    // A repeat answers ResourceAlreadyExists, which EnsurePolicy treats as success.
    public static readonly IotOperation CreatePolicy = new(nameof(CreatePolicy), true);
    public static readonly IotOperation AddThingToThingGroup = new(nameof(AddThingToThingGroup), true);

    // MQTT delivery is at-least-once anyway.
    public static readonly IotOperation Publish = new(nameof(Publish), true);
}

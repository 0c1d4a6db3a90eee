namespace Provision.Core.Aws;

public enum AwsErrorKind
{
    NotFound,
    AlreadyExists,
    Throttled,
    InvalidRequest,
    Unauthorized,
    Conflict,
    LimitExceeded,
    ServiceUnavailable,
    /// <summary>A non-idempotent call timed out or lost its connection: it may or may not have taken effect.</summary>
    OutcomeUnknown,
}

/// <summary>An AWS call failed; <see cref="Kind"/> says what the caller can do about it.</summary>
public sealed class AwsServiceException(
    AwsErrorKind kind,
    string operation,
    string message,
    string? errorCode = null,
    int? statusCode = null,
    string? resourceId = null,
    string? resourceArn = null,
    Exception? innerException = null)
    : Exception($"AWS {operation} failed ({kind}): {message}", innerException)
{
    public AwsErrorKind Kind { get; } = kind;

    public string Operation { get; } = operation;

    /// <summary>The AWS error code, e.g. ResourceNotFoundException or Throttling.</summary>
    public string? ErrorCode { get; } = errorCode;

    public int? StatusCode { get; } = statusCode;

    /// <summary>For <see cref="AwsErrorKind.AlreadyExists"/>: the existing resource.</summary>
    public string? ResourceId { get; } = resourceId;

    public string? ResourceArn { get; } = resourceArn;

    /// <summary>True when a later attempt may succeed unchanged.</summary>
    public bool IsTransient => Kind is AwsErrorKind.Throttled or AwsErrorKind.ServiceUnavailable;

    internal static AwsErrorKind KindOf(string? errorCode, int statusCode) => errorCode switch
    {
        "ResourceNotFoundException" or "NoSuchEntity" => AwsErrorKind.NotFound,
        "ResourceAlreadyExistsException" => AwsErrorKind.AlreadyExists,
        "ThrottlingException" or "Throttling" or "TooManyRequestsException" or "RequestLimitExceeded" => AwsErrorKind.Throttled,
        "InvalidRequestException" or "MalformedPolicyException" or "ValidationError" or "ValidationException"
            or "MalformedPolicyDocument" or "PackedPolicyTooLarge" or "InvalidParameterValue" => AwsErrorKind.InvalidRequest,
        "UnauthorizedException" or "AccessDeniedException" or "AccessDenied" or "InvalidSignatureException"
            or "SignatureDoesNotMatch" or "UnrecognizedClientException" or "InvalidClientTokenId"
            or "MissingAuthenticationTokenException" or "MissingAuthenticationToken" or "ExpiredTokenException"
            or "ExpiredToken" or "InvalidIdentityToken" or "IDPRejectedClaim" or "RegionDisabledException" => AwsErrorKind.Unauthorized,
        "VersionConflictException" or "CertificateStateException" or "DeleteConflictException" or "ConflictException" => AwsErrorKind.Conflict,
        "LimitExceededException" => AwsErrorKind.LimitExceeded,
        "ServiceUnavailableException" or "InternalFailureException" or "InternalFailure" or "InternalServerException"
            or "ServiceUnavailable" or "IDPCommunicationError" => AwsErrorKind.ServiceUnavailable,
        _ => statusCode switch
        {
            404 => AwsErrorKind.NotFound,
            409 or 406 => AwsErrorKind.Conflict,
            410 => AwsErrorKind.LimitExceeded,
            429 => AwsErrorKind.Throttled,
            401 or 403 => AwsErrorKind.Unauthorized,
            >= 500 => AwsErrorKind.ServiceUnavailable,
            _ => AwsErrorKind.InvalidRequest,
        },
    };
}

namespace Provision.Core;

/// <summary>Input that cannot be accepted; the message says what is wrong and is safe to show the caller.</summary>
public sealed class ValidationException(string message) : Exception(message);

/// <summary>Another writer changed the entity since it was read (HTTP 412 from Table Storage).</summary>
public sealed class ConcurrencyException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The entity to change does not exist.</summary>
public sealed class EntityNotFoundException(string message) : Exception(message);

/// <summary>The entity to create exists already.</summary>
public sealed class EntityExistsException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Storage did not answer or answered with a server error; the caller may retry later.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The caller's credentials are unknown or revoked; answered with exactly "Authentication failed".</summary>
public sealed class AuthenticationFailedException() : Exception("Authentication failed");

/// <summary>The caller is known but may not do this.</summary>
public sealed class ForbiddenException(string message) : Exception(message);

/// <summary>The request body is larger than the service accepts.</summary>
public sealed class PayloadTooLargeException(string message) : Exception(message);

/// <summary>The caller asks too often; it may come back after <see cref="DelaySeconds"/>.</summary>
public sealed class RateLimitedException(string message, int delaySeconds) : Exception(message)
{
    public int DelaySeconds { get; } = delaySeconds;
}

namespace Provision.Core.Limits;

/// <summary>
/// Counts uses per key and rule where every instance of the app sees them (storage, not process memory),
/// so a limit holds however far the app scales out.
/// </summary>
public interface IUsageLimiter
{
    /// <summary>Takes one use of <paramref name="rule"/> for <paramref name="key"/> when one is left in the current window.</summary>
    Task<LimitDecision> TryAcquireAsync(LimitRule rule, string key, CancellationToken cancellationToken = default);
}

public static class UsageLimiterExtensions
{
    /// <summary>Takes one use, or throws a <see cref="RateLimitedException"/> with the rule's refusal and the delay to wait.</summary>
    public static async Task AcquireAsync(this IUsageLimiter limiter, LimitRule rule, string key, CancellationToken cancellationToken = default)
    {
        var decision = await limiter.TryAcquireAsync(rule, key, cancellationToken);
        if (!decision.Allowed)
        {
            throw new RateLimitedException(rule.Refusal, decision.DelaySeconds);
        }
    }
}

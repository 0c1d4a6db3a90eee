using System.ComponentModel.DataAnnotations;

namespace Provision.Core.Limits;

/// <summary>
/// At most <see cref="Permits"/> uses per <see cref="Window"/> for one key (a device id, a product id, …).
/// <see cref="Name"/> tells rules apart on the same key; <see cref="Refusal"/> is what the caller is told when limited.
/// </summary>
public sealed record LimitRule(string Name, int Permits, TimeSpan Window, string Refusal)
{
    public string Name { get; } = string.IsNullOrWhiteSpace(Name) ? throw new ArgumentException("A limit needs a name.", nameof(Name)) : Name;
    public int Permits { get; } = Permits >= 1 ? Permits : throw new ArgumentOutOfRangeException(nameof(Permits), "A limit allows at least one use.");
    public TimeSpan Window { get; } = Window > TimeSpan.Zero ? Window : throw new ArgumentOutOfRangeException(nameof(Window), "A limit window is positive.");
}

/// <summary>Settings of one limit: <c>PermitsPerWindow</c> uses per <c>Window</c>; bind one per concern.</summary>
public class LimitOptions
{
    [Range(1, 100_000)]
    public int PermitsPerWindow { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    public LimitRule ToRule(string name, string refusal) => new(name, PermitsPerWindow, Window, refusal);
}

/// <summary>The outcome of asking for one use: allowed, or refused until <see cref="RetryAfter"/> has passed.</summary>
public readonly record struct LimitDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static LimitDecision Allow { get; } = new(true, TimeSpan.Zero);

    /// <summary>Whole seconds to wait, at least one: what a limited caller is told.</summary>
    public int DelaySeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}

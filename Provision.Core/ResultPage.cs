namespace Provision.Core;

/// <summary>A page of results and the token for the next one (null on the last page).</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, string? ContinuationToken);

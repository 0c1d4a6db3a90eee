namespace Provision.Core.Releases;

/// <summary>The result of evaluating a policy for one device.</summary>
/// <param name="Applies">The policy was true for the device.</param>
/// <param name="Failure">Why the policy could not be evaluated (a script error or a limit), else null. Holds no property values, so it can be logged.</param>
public readonly record struct PolicyOutcome(bool Applies, string? Failure);

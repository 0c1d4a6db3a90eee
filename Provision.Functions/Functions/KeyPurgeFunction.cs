using Microsoft.Azure.Functions.Worker;
using Provision.Core.Provisioning;

namespace Provision.Functions.Functions;

/// <summary>Deletes stored private keys once their delivery window has ended.</summary>
public sealed class KeyPurgeFunction(IKeyPurger purger)
{
    [Function(nameof(PurgeDeliveredKeys))]
    public Task PurgeDeliveredKeys([TimerTrigger("0 */15 * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        purger.PurgeAsync(cancellationToken);
}

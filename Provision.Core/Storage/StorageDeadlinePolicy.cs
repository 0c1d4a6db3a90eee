using Azure.Core;
using Azure.Core.Pipeline;

namespace Provision.Core.Storage;

/// <summary>
/// Bounds one storage operation, retries included: a hung account fails the call (a <see cref="TimeoutException"/>,
/// which becomes <see cref="StorageUnavailableException"/> and a 503) instead of holding a device for the SDK's timeouts.
/// </summary>
internal sealed class StorageDeadlinePolicy(TimeSpan deadline) : HttpPipelinePolicy
{
    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            await ProcessNextAsync(message, pipeline).AsTask().WaitAsync(deadline, message.CancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Storage did not answer within {deadline.TotalSeconds:0.#} s.", e);
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();
}

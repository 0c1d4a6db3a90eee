using Azure.Core;
using Azure.Core.Pipeline;

namespace Provision.Core.Storage;

/// <summary>
/// Fails a storage operation (retries included) with a <see cref="TimeoutException"/> — which becomes
/// <see cref="StorageUnavailableException"/> and a 503 — once storage has gone <paramref name="silence"/> without
/// answering any operation of this client, or after <paramref name="limit"/> in any case. A hung account thus fails
/// callers within seconds, while a busy one that keeps answering is waited for.
/// </summary>
internal sealed class StorageDeadlinePolicy(TimeSpan silence, TimeSpan limit) : HttpPipelinePolicy
{
    private long lastAnswer = Environment.TickCount64;

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var call = ProcessNextAsync(message, pipeline).AsTask();
        var started = Environment.TickCount64;
        while (true)
        {
            var now = Environment.TickCount64;
            var quietSince = Math.Max(Volatile.Read(ref lastAnswer), started);
            var wait = Math.Min(quietSince + (long)silence.TotalMilliseconds, started + (long)limit.TotalMilliseconds) - now;
            if (wait <= 0)
            {
                throw new TimeoutException(now - started >= limit.TotalMilliseconds
                    ? $"Storage did not answer within {limit.TotalSeconds:0.#} s."
                    : $"Storage has answered nothing for {silence.TotalSeconds:0.#} s.");
            }
            try
            {
                // WaitAsync drops its timer as soon as the call answers: no timer outlives a call.
                await call.WaitAsync(TimeSpan.FromMilliseconds(wait), message.CancellationToken);
            }
            catch (TimeoutException) when (!call.IsCompleted)
            {
                // Quiet so far: look again at what this client has heard meanwhile.
                continue;
            }
            catch (Exception) when (call.IsCompleted)
            {
                // The call's own outcome (an error, or an answer that came just as the wait ended) is decided below.
            }
            Volatile.Write(ref lastAnswer, Environment.TickCount64);
            await call;
            return;
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();
}

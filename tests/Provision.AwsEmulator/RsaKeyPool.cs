using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Provision.Emulators.Aws;

/// <summary>
/// RSA-2048 keys made ahead of time on background threads (filled at start, refilled as keys are taken), so that
/// CreateKeysAndCertificate does not spend its caller's time generating a key. An empty pool makes a key on the spot.
/// </summary>
internal sealed class RsaKeyPool : IDisposable
{
    private readonly ConcurrentQueue<RSA> keys = new();
    private readonly SemaphoreSlim taken = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly int size;

    public RsaKeyPool(int size)
    {
        this.size = size;
        if (size > 0)
        {
            for (var i = 0; i < Environment.ProcessorCount; i++)
            {
                new Thread(Fill) { IsBackground = true, Priority = ThreadPriority.BelowNormal, Name = "RSA key pool" }.Start();
            }
        }
    }

    public int Available => keys.Count;

    public RSA Take()
    {
        if (keys.TryDequeue(out var key))
        {
            taken.Release();
            return key;
        }
        return RSA.Create(2048);
    }

    private void Fill()
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                while (keys.Count < size && !stopping.IsCancellationRequested)
                {
                    keys.Enqueue(RSA.Create(2048));
                }
                taken.Wait(stopping.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        stopping.Cancel();
        while (keys.TryDequeue(out var key))
        {
            key.Dispose();
        }
    }
}

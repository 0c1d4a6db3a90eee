using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Provision.Emulators.Aws;

/// <summary>
/// RSA-2048 keys made ahead of time on background threads, so that CreateKeysAndCertificate does not spend its caller's
/// time generating a key. The pool is filled once and not refilled: size it for the run, so key generation never
/// competes with what a benchmark measures. An empty pool makes a key on the spot.
/// </summary>
internal sealed class RsaKeyPool : IDisposable
{
    private readonly ConcurrentQueue<RSA> keys = new();
    private readonly CancellationTokenSource stopping = new();
    private int toMake;

    public RsaKeyPool(int size)
    {
        toMake = size;
        if (size > 0)
        {
            for (var i = 0; i < Environment.ProcessorCount; i++)
            {
                new Thread(Fill) { IsBackground = true, Priority = ThreadPriority.BelowNormal, Name = "RSA key pool" }.Start();
            }
        }
    }

    public int Available => keys.Count;

    public RSA Take() => keys.TryDequeue(out var key) ? key : RSA.Create(2048);

    private void Fill()
    {
        while (!stopping.IsCancellationRequested && Interlocked.Decrement(ref toMake) >= 0)
        {
            var key = RSA.Create(2048);
            // The key is generated lazily, on first use: use it here, off the measured path.
            key.ExportSubjectPublicKeyInfo();
            keys.Enqueue(key);
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

namespace Provision.Emulators.Aws;

public enum FaultKind
{
    /// <summary>Answer with the service's throttling error before doing the work.</summary>
    Throttle,

    /// <summary>500 InternalFailureException before doing the work.</summary>
    InternalError,

    /// <summary>503 ServiceUnavailableException before doing the work.</summary>
    ServiceUnavailable,

    /// <summary>Do the work, then wait <see cref="Fault.Latency"/> before answering.</summary>
    Latency,

    /// <summary>Do the work, then drop the connection without answering.</summary>
    DropConnection,
}

public sealed record Fault(FaultKind Kind, TimeSpan Latency);

/// <summary>Faults to inject per operation, each for a number of calls.</summary>
public sealed class FaultInjector
{
    private readonly object gate = new();
    private readonly List<Entry> entries = [];

    /// <summary>Injects a fault into the next <paramref name="times"/> calls of <paramref name="operation"/>; dispose to remove it.</summary>
    public IDisposable Inject(string operation, FaultKind kind, int times = int.MaxValue, TimeSpan? latency = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        var entry = new Entry(operation, new Fault(kind, latency ?? TimeSpan.Zero), times);
        lock (gate)
        {
            entries.Add(entry);
        }

        return new Removal(this, entry);
    }

    public void Clear()
    {
        lock (gate)
        {
            entries.Clear();
        }
    }

    internal Fault? Take(string operation)
    {
        lock (gate)
        {
            var entry = entries.FirstOrDefault(e => e.Operation == operation);
            if (entry is null)
            {
                return null;
            }

            if (--entry.Remaining == 0)
            {
                entries.Remove(entry);
            }

            return entry.Fault;
        }
    }

    private void Remove(Entry entry)
    {
        lock (gate)
        {
            entries.Remove(entry);
        }
    }

    private sealed class Entry(string operation, Fault fault, int remaining)
    {
        public string Operation { get; } = operation;

        public Fault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }

    private sealed class Removal(FaultInjector owner, Entry entry) : IDisposable
    {
        public void Dispose() => owner.Remove(entry);
    }
}

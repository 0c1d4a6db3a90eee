using System.Collections.Concurrent;

namespace Provision.Emulators.Aws;

/// <summary>One request the emulator answered (or dropped).</summary>
public sealed record EmulatorCall(
    string Service,
    string Operation,
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> RequestHeaders,
    byte[] RequestBody,
    int StatusCode,
    string? ErrorCode,
    string ResponseBody,
    IReadOnlyDictionary<string, string> ResponseHeaders,
    bool ConnectionDropped,
    DateTimeOffset Timestamp)
{
    /// <summary>The operation took effect, whether or not the caller saw the answer.</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>Every call in arrival order, for tests to assert on.</summary>
public sealed class EmulatorJournal
{
    private readonly ConcurrentQueue<EmulatorCall> calls = new();

    public IReadOnlyList<EmulatorCall> Calls => [.. calls];

    public IReadOnlyList<EmulatorCall> For(string operation) => [.. calls.Where(c => c.Operation == operation)];

    public int Count(string operation) => calls.Count(c => c.Operation == operation);

    public int CountSucceeded(string operation) => calls.Count(c => c.Operation == operation && c.Succeeded);

    public int CountErrors(string operation, string errorCode) => calls.Count(c => c.Operation == operation && c.ErrorCode == errorCode);

    public void Clear() => calls.Clear();

    internal void Add(EmulatorCall call) => calls.Enqueue(call);
}

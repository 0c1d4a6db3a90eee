namespace Provision.Core.Storage;

/// <summary>Runs an async creation once and shares its result; a failed attempt is forgotten so the next caller tries again.</summary>
internal sealed class CreateOnce<T>(Func<Task<T>> create)
{
    private readonly Lock _gate = new();
    private Task<T>? _task;

    public Task<T> GetAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_task is null || _task.IsFaulted || _task.IsCanceled)
            {
                _task = create();
            }
            return _task.WaitAsync(cancellationToken);
        }
    }
}

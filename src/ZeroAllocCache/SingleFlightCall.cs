namespace ZeroAllocCache;

/// <summary>
/// One factory call shared by every concurrent <c>GetOrAddAsync</c> miss on the same key.
/// </summary>
/// <remarks>
/// The call runs with a token of its own, cancelled only when every caller waiting on it has given up, so one
/// caller's cancellation ends only that caller's wait. <see cref="Waiters"/> is guarded by the cache's lock.
/// </remarks>
/// <typeparam name="TValue">The cached value type.</typeparam>
internal sealed class SingleFlightCall<TValue> : IDisposable
{
    // Continuations run asynchronously so that waiters never resume inside the completing thread's bookkeeping.
    private readonly TaskCompletionSource<TValue> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>Callers waiting on the result; the call starts with the one that started it.</summary>
    public int Waiters { get; set; } = 1;

    public Task<TValue> Task => _completion.Task;

    /// <summary>The token the factory runs with.</summary>
    public CancellationToken Token => _cancellation.Token;

    public void Succeed(TValue value) => _completion.TrySetResult(value);

    public void Fail(Exception exception)
    {
        if (exception is OperationCanceledException canceled)
        {
            _completion.TrySetCanceled(canceled.CancellationToken);
        }
        else
        {
            _completion.TrySetException(exception);
            if (_cancellation.IsCancellationRequested)
            {
                // Every caller left before the failure: mark it observed, nobody else will.
                _ = _completion.Task.Exception;
            }
        }
    }

    /// <summary>Cancels the factory once nobody waits for its result any more.</summary>
    public void Abandon()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The factory finished between the last caller leaving and this cancellation: nothing left to cancel.
        }
    }

    /// <summary>Releases the factory's token once the factory has finished.</summary>
    public void Dispose() => _cancellation.Dispose();
}

namespace ZeroAllocCache;

/// <summary>
/// What every single-flight call has whatever its value type: the call that was computing when it started, so that a
/// factory asking for a key its own flow is computing is caught instead of waiting on itself forever.
/// </summary>
internal abstract class SingleFlightCall
{
    // The call whose factory the current async flow is running, if any. Set only inside the factory's flow.
    private static readonly AsyncLocal<SingleFlightCall?> s_running = new();

    protected SingleFlightCall()
    {
        Parent = s_running.Value;
    }

    /// <summary>The call whose factory started this one, or <see langword="null"/>.</summary>
    public SingleFlightCall? Parent { get; }

    /// <summary>
    /// Whether the current async flow is running this call's factory, directly or through calls it started: joining
    /// it would then wait for itself.
    /// </summary>
    public bool IsRunningInCurrentFlow()
    {
        for (SingleFlightCall? call = s_running.Value; call is not null; call = call.Parent)
        {
            if (ReferenceEquals(call, this))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Marks the current async flow as running this call's factory. Call it from the async method that runs the
    /// factory: the mark ends when that method returns or first yields to its caller.
    /// </summary>
    protected void EnterFactoryFlow() => s_running.Value = this;
}

/// <summary>
/// One factory call shared by every concurrent <c>GetOrAddAsync</c> miss on the same key.
/// </summary>
/// <remarks>
/// The call runs with a token of its own, cancelled only when every caller waiting on it has given up, so one
/// caller's cancellation ends only that caller's wait. <see cref="Waiters"/> and <see cref="Detached"/> are guarded
/// by the cache's lock.
/// </remarks>
/// <typeparam name="TValue">The cached value type.</typeparam>
internal sealed class SingleFlightCall<TValue> : SingleFlightCall, IDisposable
{
    // Continuations run asynchronously so that waiters never resume inside the completing thread's bookkeeping.
    private readonly TaskCompletionSource<TValue> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>Callers waiting on the result; the call starts with the one that started it.</summary>
    public int Waiters { get; set; } = 1;

    /// <summary>
    /// Set when <c>Invalidate</c> or <c>Clear</c> removed the call from the cache: its waiters still get its result,
    /// but the result may predate the removal, so it is not stored.
    /// </summary>
    public bool Detached { get; set; }

    /// <summary>
    /// Set while the call waits for another replica's value: a message from the fleet about the key does not detach
    /// it, since that change is what it waits for (and a read begun before the message is kept out of memory by the
    /// distributed level's fill check). Guarded by the cache's lock.
    /// </summary>
    public bool WaitingForFleet { get; set; }

    public Task<TValue> Task => _completion.Task;

    /// <summary>The token the factory runs with.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Runs <paramref name="factory"/> in a flow marked as this call's, so that re-entry can be detected.</summary>
    public ValueTask<TValue> RunFactory<TState>(Func<TState, CancellationToken, ValueTask<TValue>> factory, TState state)
    {
        EnterFactoryFlow();
        return factory(state, Token);
    }

    public void Succeed(TValue value) => _completion.TrySetResult(value);

    public void Fail(Exception exception)
    {
        if (exception is OperationCanceledException canceled)
        {
            _completion.TrySetCanceled(canceled.CancellationToken);
            return;
        }

        _completion.TrySetException(exception);

        // Waiters that still wait receive the exception; those that left did not, and a failure must never surface as
        // an unobserved task exception. Whether anyone is left cannot be known without racing the last one leaving,
        // so the task is always marked observed.
        _ = _completion.Task.Exception;
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

using System.Buffers;

using Microsoft.Extensions.Caching.Distributed;

namespace ZeroAllocCache.Testing;

/// <summary>
/// A real store the test can hold up or break: a read of one key that takes place at once but answers only when
/// released, removals that wait until released, and removals, sets or reads that fail. The interleavings of a cache's
/// reads and writes with whatever the test does meanwhile, and a store that misbehaves, on the store itself.
/// </summary>
internal sealed class HeldStore(IBufferDistributedCache store, string heldKey) : IBufferDistributedCache
{
    private TaskCompletionSource? _read;
    private TaskCompletionSource? _releaseRead;
    private int _readsToHold = -1;
    private TaskCompletionSource _releaseRemovals = Released();
    private TaskCompletionSource _releaseSets = Released();
    private int _entrySets;

    /// <summary>Completes when the held read has its answer from the store.</summary>
    public Task Read => _read?.Task ?? throw new InvalidOperationException("No read is held.");

    private int _removals;
    private int _plainSets;

    /// <summary>How many removals the cache has asked of the store.</summary>
    public int Removals => Volatile.Read(ref _removals);

    /// <summary>How many sets of an entry the cache has asked of the store.</summary>
    public int EntrySets => Volatile.Read(ref _entrySets);

    /// <summary>How many sets of a whole array (the clear marker's) the cache has asked of the store.</summary>
    public int PlainSets => Volatile.Read(ref _plainSets);

    /// <summary>Removals fail (the store answers with an error) while set.</summary>
    public bool FailRemovals { get; set; }

    /// <summary>Sets (of entries and of the clear marker) fail while set.</summary>
    public bool FailSets { get; set; }

    /// <summary>Reads throw before they return a task while set, as a broken client might.</summary>
    public bool ThrowOnReads { get; set; }

    /// <summary>Holds a read of the key once the store has answered it: the next one, or the one after <paramref name="skipped"/> others.</summary>
    public void HoldNextRead(int skipped = 0)
    {
        _read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _releaseRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _readsToHold, skipped);
    }

    /// <summary>Lets the held read answer.</summary>
    public void ReleaseRead() => _releaseRead!.SetResult();

    /// <summary>Removals wait, before they reach the store, until <see cref="ReleaseRemovals"/>.</summary>
    public void HoldRemovals() => _releaseRemovals = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets the held removals go to the store.</summary>
    public void ReleaseRemovals() => _releaseRemovals.TrySetResult();

    /// <summary>Sets of entries wait, before they reach the store, until <see cref="ReleaseSets"/>.</summary>
    public void HoldSets() => _releaseSets = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets the held sets go to the store.</summary>
    public void ReleaseSets() => _releaseSets.TrySetResult();

    public ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        if (ThrowOnReads)
        {
            throw new InvalidOperationException("The client is broken.");
        }

        bool hold = key == heldKey && Volatile.Read(ref _readsToHold) >= 0 && Interlocked.Decrement(ref _readsToHold) == -1;
        return hold ? ReadAndHoldAsync(key, destination, token) : store.TryGetAsync(key, destination, token);
    }

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        Interlocked.Increment(ref _removals);
        await _releaseRemovals.Task;
        if (FailRemovals)
        {
            throw new InvalidOperationException("The store refused the removal.");
        }

        await store.RemoveAsync(key, token);
    }

    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Interlocked.Increment(ref _entrySets);
        await _releaseSets.Task;
        await Task.Yield();
        if (FailSets)
        {
            throw new InvalidOperationException("The store refused the set.");
        }

        await store.SetAsync(key, value, options, token);
    }

    public bool TryGet(string key, IBufferWriter<byte> destination) => store.TryGet(key, destination);

    public byte[]? Get(string key) => store.Get(key);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => store.GetAsync(key, token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => store.Set(key, value, options);

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Interlocked.Increment(ref _plainSets);
        await Task.Yield();
        if (FailSets)
        {
            throw new InvalidOperationException("The store refused the set.");
        }

        await store.SetAsync(key, value, options, token);
    }

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) => store.Set(key, value, options);

    public void Refresh(string key) => store.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => store.RefreshAsync(key, token);

    public void Remove(string key) => store.Remove(key);

    private async ValueTask<bool> ReadAndHoldAsync(string key, IBufferWriter<byte> destination, CancellationToken token)
    {
        bool found = await store.TryGetAsync(key, destination, token);
        _read!.SetResult();
        await _releaseRead!.Task;
        return found;
    }

    private static TaskCompletionSource Released()
    {
        TaskCompletionSource released = new();
        released.SetResult();
        return released;
    }
}

using System.Buffers;
using System.Collections.Concurrent;

using BenchmarkDotNet.Attributes;

using Microsoft.Extensions.Caching.Distributed;

namespace ZeroAllocCache.Benchmarks;

/// <summary>
/// Issue 15, the part a network hides: what a distributed hit costs on top of the store's own read, with a store in
/// this process that answers at once. <see cref="DistributedLevelBenchmarks"/> times the same reads on Redis, where a
/// round trip of 150 µs and its thread hops drown a difference of a microsecond.
/// </summary>
[MemoryDiagnoser]
public class DistributedOverheadBenchmarks : DistributedHitContenders
{
    /// <inheritdoc/>
    protected override IBufferDistributedCache CreateStore() => new InstantStore();

    // A store that keeps its entries in a dictionary and answers every call synchronously; expiry is ignored, as no
    // benchmark outlives its entries.
    private sealed class InstantStore : IBufferDistributedCache
    {
        private readonly ConcurrentDictionary<string, byte[]> _entries = new();

        public byte[]? Get(string key) => _entries.TryGetValue(key, out byte[]? value) ? value : null;

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

        public bool TryGet(string key, IBufferWriter<byte> destination)
        {
            if (!_entries.TryGetValue(key, out byte[]? value))
            {
                return false;
            }

            destination.Write(value);
            return true;
        }

        public ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default) =>
            new(TryGet(key, destination));

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _entries[key] = value;

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Set(key, value, options);
            return Task.CompletedTask;
        }

        public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) => _entries[key] = value.ToArray();

        public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Set(key, value, options);
            return ValueTask.CompletedTask;
        }

        public void Refresh(string key)
        {
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Remove(string key) => _entries.TryRemove(key, out _);

        public Task RemoveAsync(string key, CancellationToken token = default)
        {
            Remove(key);
            return Task.CompletedTask;
        }
    }
}

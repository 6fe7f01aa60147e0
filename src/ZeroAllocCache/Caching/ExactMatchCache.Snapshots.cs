using System.Buffers;

using Microsoft.Extensions.Caching.Hybrid;

namespace ZeroAllocCache;

/// <content>
/// Snapshots: the cache saved to a stream or a file and loaded back, so that a restarted process starts warm. The
/// format is docs/snapshot-format.md.
/// </content>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The stream and path overloads are public names users rely on; their first parameters differ in type.")]
public sealed partial class ExactMatchCache<TValue>
{
    // Entries applied under the lock at a time when a snapshot is loaded, so that hits wait for a batch, not a file.
    private const int LoadBatchSize = 1024;

    // The loads in progress, told of every invalidation and clear so that none brings back what was removed while it
    // read. Under the lock; null until the first load.
    private List<SnapshotLoadWatch>? _loadWatches;

    /// <summary>
    /// Writes every fresh entry to <paramref name="destination"/>, most recently used first, with its key, creation
    /// time, hit count and value (through the cache's <see cref="ExactMatchCacheOptions{TValue}.Serializer"/>).
    /// </summary>
    /// <param name="destination">Where to write; left open.</param>
    /// <param name="cancellationToken">Stops the save; what was written is then incomplete and will not load.</param>
    /// <returns>A task that completes when the snapshot is written and the stream flushed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">There is no serializer for <typeparamref name="TValue"/> (in the task).</exception>
    /// <remarks>
    /// The cache keeps serving during the save: the entries' references are copied under the lock in one pass (a few
    /// nanoseconds an entry), and serialized and written outside it, while the stream writes one buffer as the next
    /// fills. The snapshot holds a consistent set: the fresh entries the cache held at that moment, in their LRU order.
    /// </remarks>
    public Task SaveSnapshotAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return WriteSnapshotAsync(destination, serializer: null, cancellationToken);
    }

    /// <summary>
    /// Saves a snapshot to the file at <paramref name="path"/>, replacing it atomically: the snapshot is written to a
    /// temporary file in the same folder, flushed to disk and renamed over the old one, so a crash or a failure
    /// mid-save leaves the previous snapshot as it was.
    /// </summary>
    /// <param name="path">The file; its folder must exist.</param>
    /// <param name="cancellationToken">Stops the save; the previous snapshot then stays.</param>
    /// <returns>A task that completes when the new snapshot is in place.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">There is no serializer for <typeparamref name="TValue"/> (in the task).</exception>
    /// <exception cref="IOException">The file cannot be written (in the task).</exception>
    /// <remarks>
    /// A new file is readable and writable by its owner only (on Unix, mode 0600: cached answers may be private); a
    /// replaced file keeps its mode.
    /// </remarks>
    public Task SaveSnapshotAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return SaveSnapshotFileAsync(path, cancellationToken);
    }

    /// <summary>
    /// Reads a snapshot from <paramref name="source"/> and adds its fresh entries, with their values, ages, hit counts
    /// and LRU order. Nothing is added unless the whole snapshot is valid.
    /// </summary>
    /// <param name="source">Where to read, to its end; left open.</param>
    /// <param name="cancellationToken">Stops the load; the cache is then unchanged.</param>
    /// <returns>The number of entries loaded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">There is no serializer for <typeparamref name="TValue"/> (in the task).</exception>
    /// <exception cref="InvalidDataException">
    /// The snapshot is empty, truncated, damaged (its checksum differs), not a snapshot, of a newer format, of another
    /// value type or serializer, or holds a value its serializer cannot read; the message says which, and where.
    /// </exception>
    /// <remarks>
    /// <para>
    /// An entry's age goes on from when it was saved (creation times are on the wall clock), and an entry already older
    /// than the TTL is skipped. A key the cache already holds keeps its live entry. Loaded entries go behind the live
    /// ones in LRU order; a bounded cache takes the most recently used until it is full.
    /// </para>
    /// <para>
    /// The cache keeps serving during the load, which adds the entries in short batches under the lock once the whole
    /// snapshot has been read and checked. A key invalidated while the load runs is not brought back by it, nor is
    /// anything after a clear (here, or announced by another replica).
    /// </para>
    /// </remarks>
    public Task<int> LoadSnapshotAsync(Stream source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return LoadSnapshotCoreAsync(source, cancellationToken);
    }

    /// <summary>Loads the snapshot in the file at <paramref name="path"/>; see <see cref="LoadSnapshotAsync(Stream, CancellationToken)"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Stops the load; the cache is then unchanged.</param>
    /// <returns>The number of entries loaded.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/> (in the task).</exception>
    /// <exception cref="InvalidOperationException">There is no serializer for <typeparamref name="TValue"/> (in the task).</exception>
    /// <exception cref="InvalidDataException">The file is not a valid snapshot of this cache's values (in the task).</exception>
    public Task<int> LoadSnapshotAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return LoadSnapshotFileAsync(path, cancellationToken);
    }

    /// <summary>
    /// What a periodic save compares: it differs from an earlier reading when an entry was stored, replaced, removed or
    /// moved in the LRU order (changes) or hit (its hit count) since. Two numbers, because a clear resets the hits.
    /// </summary>
    internal (long Changes, long Hits) SnapshotVersion => (Volatile.Read(ref _changes), AllHits);

    /// <summary>The save to a file, atomically; returns the number of entries written.</summary>
    internal async Task<int> SaveSnapshotFileAsync(string path, CancellationToken cancellationToken)
    {
        IHybridCacheSerializer<TValue> serializer = SnapshotSerializer();
        string file = Path.GetFullPath(path);
        string temporary = SnapshotFiles.TemporaryPathFor(file);
        cancellationToken.ThrowIfCancellationRequested();
        FileStream stream = SnapshotFiles.CreateTemporary(temporary, file);
        try
        {
            int count;
            await using (stream.ConfigureAwait(false))
            {
                count = await WriteSnapshotAsync(stream, serializer, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, file, overwrite: true);
            return count;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            SnapshotFiles.TryDelete(temporary);
            throw;
        }
    }

    // Saves and loads both name the serializer by its type, without versions, so that a snapshot survives an upgrade.
    private static string SerializerIdentity(IHybridCacheSerializer<TValue> serializer) => TypeIdentity.Of(serializer.GetType());

    // The save, to a stream; returns the number of entries written.
    private async Task<int> WriteSnapshotAsync(Stream destination, IHybridCacheSerializer<TValue>? serializer, CancellationToken cancellationToken)
    {
        serializer ??= SnapshotSerializer();
        cancellationToken.ThrowIfCancellationRequested();
        SnapshotEntry[] entries = CopyEntries(out int count, out long copiedAt);
        try
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            SnapshotWriter writer = new(destination);
            await using (writer.ConfigureAwait(false))
            {
                await writer.WriteHeaderAsync(new SnapshotHeader(TypeIdentity<TValue>.Name, SerializerIdentity(serializer), now, _ttl), cancellationToken).ConfigureAwait(false);
                PooledBufferWriter payload = PooledBufferWriter.Rent();
                try
                {
                    for (int i = 0; i < count; i++)
                    {
                        SnapshotEntry entry = entries[i];
                        payload.Reset();
                        serializer.Serialize(entry.Value, payload);
                        DateTimeOffset created = CreatedAt(now, _timeProvider.GetElapsedTime(entry.Timestamp, copiedAt));
                        long expires = entry.OwnTtlTicks == 0 ? 0 : ExpiryTicks(created, entry.OwnTtlTicks);
                        await writer.WriteEntryAsync(entry.Key, entry.Partition, created.UtcTicks, expires, entry.HitCount, payload.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    payload.Return();
                }

                await writer.FinishAsync(count, cancellationToken).ConfigureAwait(false);
            }

            return count;
        }
        finally
        {
            ArrayPool<SnapshotEntry>.Shared.Return(entries, clearArray: true);
        }
    }

    private async Task<int> LoadSnapshotFileAsync(string path, CancellationToken cancellationToken)
    {
        SnapshotSerializer();

        // FileShare.Delete: a save may rename a new snapshot over this one while it is read.
        FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            return await LoadSnapshotCoreAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> LoadSnapshotCoreAsync(Stream source, CancellationToken cancellationToken)
    {
        IHybridCacheSerializer<TValue> serializer = SnapshotSerializer();
        SnapshotLoadWatch watch = new();
        using (_lock.Enter())
        {
            (_loadWatches ??= []).Add(watch);
        }

        try
        {
            List<LoadedEntry> staged = await ReadSnapshotAsync(source, serializer, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return AddLoaded(staged, watch);
        }
        finally
        {
            using (_lock.Enter())
            {
                _loadWatches!.Remove(watch);
            }
        }
    }

    // Reads and checks the whole snapshot; stages the entries that could be loaded (fresh now, and no more than a
    // bounded cache can take: the live entries only take room from the end of the list, never add to it).
    private async Task<List<LoadedEntry>> ReadSnapshotAsync(Stream source, IHybridCacheSerializer<TValue> serializer, CancellationToken cancellationToken)
    {
        SnapshotReader reader = new(source);
        await using (reader.ConfigureAwait(false))
        {
            SnapshotHeader header = await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            if (header.ValueType != TypeIdentity<TValue>.Name)
            {
                throw new InvalidDataException($"The snapshot holds values of {header.ValueType}; this cache holds {TypeIdentity<TValue>.Name}.");
            }

            if (header.Serializer != SerializerIdentity(serializer))
            {
                throw new InvalidDataException($"The snapshot was written with the serializer {header.Serializer}; this cache's is {SerializerIdentity(serializer)}.");
            }

            List<LoadedEntry> staged = [];
            DateTimeOffset readAt = _timeProvider.GetUtcNow();
            long entries = 0;
            while (await reader.ReadEntryAsync(entries, cancellationToken).ConfigureAwait(false) is { } record)
            {
                entries++;
                DateTimeOffset created = new(record.Created, TimeSpan.Zero);
                TimeSpan? ownTtl = record.Expires == 0 ? null : TimeSpan.FromTicks(Math.Max(1, record.Expires - record.Created));
                if ((_maxSize != 0 && staged.Count >= _maxSize) || readAt - created > (ownTtl ?? _ttl))
                {
                    continue;
                }

                TValue value;
                try
                {
                    value = serializer.Deserialize(new ReadOnlySequence<byte>(record.Payload));
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    throw new InvalidDataException($"The snapshot is damaged: the value of entry {entries - 1:N0} cannot be read ({exception.Message}).", exception);
                }

                staged.Add(new LoadedEntry(record.Key, record.Partition, value, created, record.HitCount, SizeOf(value), ownTtl));
            }

            await reader.ReadTrailerAsync(entries, cancellationToken).ConfigureAwait(false);
            return staged;
        }
    }

    private IHybridCacheSerializer<TValue> SnapshotSerializer() =>
        _serializer ?? throw new InvalidOperationException(
            $"ExactMatchCache<{typeof(TValue).Name}> has no serializer for {typeof(TValue).FullName}, so it cannot save or load snapshots: " +
            "set ExactMatchCacheOptions.Serializer (JsonCacheSerializer<T> takes a source-generated JsonTypeInfo), or register a default with " +
            "CacheSerializers.Register. string and byte[] have one built in.");

    // The fresh entries in LRU order, most recent first, by reference: copied under the lock in one pass, into an
    // array rented outside it (so the lock never waits for an allocation).
    private SnapshotEntry[] CopyEntries(out int count, out long copiedAt)
    {
        int capacity = _pool.Count + 64;
        while (true)
        {
            SnapshotEntry[] copy = ArrayPool<SnapshotEntry>.Shared.Rent(capacity);
            using (_lock.Enter())
            {
                if (_pool.Count <= copy.Length)
                {
                    copiedAt = _timeProvider.GetTimestamp();
                    CacheEntry<TValue>[] entries = _pool.Entries;
                    count = 0;
                    for (int i = FirstInOrder(); i != LruList.None; i = NextInOrder(i))
                    {
                        ref CacheEntry<TValue> entry = ref entries[i];
                        if (TtlOf(entry) is not { } ttl || _timeProvider.GetElapsedTime(entry.Timestamp, copiedAt) <= ttl)
                        {
                            copy[count++] = new SnapshotEntry(entry.Key, PartitionOf(entry.Partition)?.Name, entry.Value, entry.Timestamp, entry.HitCount, entry.HasOwnTtl ? entry.TtlTicks : 0);
                        }
                    }

                    return copy;
                }

                capacity = _pool.Count * 2; // it grew since: rent again, outside the lock
            }

            ArrayPool<SnapshotEntry>.Shared.Return(copy);
        }
    }

    // The validated entries, in the snapshot's order (most recent first), added behind the live ones, in batches. A
    // bound or quota that is reached keeps what came before: the more recently used.
    private int AddLoaded(List<LoadedEntry> staged, SnapshotLoadWatch watch)
    {
        int loaded = 0;
        for (int start = 0; start < staged.Count; start += LoadBatchSize)
        {
            DateTimeOffset nowUtc = _timeProvider.GetUtcNow();
            long now = _timeProvider.GetTimestamp();
            long clearedTicks = _distributed?.ClearedTicks ?? 0;
            using (_lock.Enter())
            {
                if (watch.Cleared)
                {
                    return loaded; // cleared while the snapshot was read: everything in it is older than the clear
                }

                for (int i = start; i < Math.Min(start + LoadBatchSize, staged.Count); i++)
                {
                    LoadedEntry entry = staged[i];
                    TimeSpan age = nowUtc - entry.Created;
                    PartitionState? partition = entry.Partition is null ? null : PartitionUnderLock(entry.Partition).State;
                    int id = partition?.Id ?? 0;
                    if (age > (entry.OwnTtl ?? _ttl)
                        || entry.Created.UtcTicks < clearedTicks
                        || watch.Removed.Contains((entry.Key, id))
                        || watch.ClearedPartitions.Contains(id)
                        || FindFresh(entry.Key, partition, now) != LruList.None) // the live entry wins
                    {
                        continue;
                    }

                    if (_maxSize != 0 && _pool.Count >= _maxSize)
                    {
                        return loaded; // full: the rest are less recently used than what was loaded
                    }

                    if (!FitsLoaded(partition, entry.Size))
                    {
                        continue;
                    }

                    AddLeastRecent(entry, partition, TimestampOfAge(now, age));
                    loaded++;
                }
            }
        }

        return loaded;
    }

    // Under the lock: whether a loaded entry fits its partition's quotas and the byte budget without evicting.
    private bool FitsLoaded(PartitionState? partition, long size) =>
        (_maxBytes == 0 || _bytes + size <= _maxBytes)
        && (partition is null
            || ((_maxSizePerPartition == 0 || partition.Count < _maxSizePerPartition)
                && (_maxBytesPerPartition == 0 || partition.Bytes + size <= _maxBytesPerPartition)));

    // Under the lock: a new entry at the least recently used end, of the cache and of its partition.
    private void AddLeastRecent(in LoadedEntry loaded, PartitionState? partition, long timestamp)
    {
        int index = TakeSlot();
        CacheEntry<TValue>[] entries = _pool.Entries;
        ref CacheEntry<TValue> entry = ref entries[index];
        entry.Key = loaded.Key;
        entry.Value = loaded.Value;
        entry.Timestamp = timestamp;
        entry.HitCount = loaded.Hits;
        entry.Partition = partition?.Id ?? 0;
        entry.Size = loaded.Size;
        entry.TtlTicks = loaded.OwnTtl?.Ticks ?? _ttlTicks;
        entry.HasOwnTtl = loaded.OwnTtl is not null;
        if (loaded.OwnTtl is not null)
        {
            _readsClock = true;
        }

        _index.Add(entries, index);
        AddLastToOrder(entries, index);
        EntryVersion.Publish(ref entry);
        _bytes += loaded.Size;
        if (partition is not null)
        {
            partition.Order.AddLast(entries, index);
            partition.Count++;
            partition.Bytes += loaded.Size;
        }

        _changes++;
    }

    // Under the lock: an invalidation in a partition (0: the cache's own entries), which no load in progress may undo.
    private void TellLoadsRemoved(in CacheKey key, int partition)
    {
        if (_loadWatches is { Count: > 0 } watches)
        {
            foreach (SnapshotLoadWatch watch in watches)
            {
                watch.Removed.Add((key, partition));
            }
        }
    }

    // Under the lock: a partition's clear, after which no load in progress adds to it.
    private void TellLoadsPartitionCleared(int partition)
    {
        if (_loadWatches is { Count: > 0 } watches)
        {
            foreach (SnapshotLoadWatch watch in watches)
            {
                watch.ClearedPartitions.Add(partition);
            }
        }
    }

    // Under the lock: a clear, after which no load in progress adds anything.
    private void TellLoadsCleared()
    {
        if (_loadWatches is { Count: > 0 } watches)
        {
            foreach (SnapshotLoadWatch watch in watches)
            {
                watch.Cleared = true;
            }
        }
    }

    private readonly record struct SnapshotEntry(CacheKey Key, string? Partition, TValue Value, long Timestamp, int HitCount, long OwnTtlTicks);

    private readonly record struct LoadedEntry(CacheKey Key, string? Partition, TValue Value, DateTimeOffset Created, int Hits, long Size, TimeSpan? OwnTtl);
}

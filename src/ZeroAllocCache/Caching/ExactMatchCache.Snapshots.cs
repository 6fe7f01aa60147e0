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

    /// <summary>
    /// Writes every fresh entry to <paramref name="destination"/>, most recently used first, with its key, creation
    /// time, hit count and value (through the cache's <see cref="ExactMatchCacheOptions{TValue}.Serializer"/>).
    /// </summary>
    /// <param name="destination">Where to write; left open.</param>
    /// <param name="cancellationToken">Stops the save; what was written is then incomplete and will not load.</param>
    /// <returns>A task that completes when the snapshot is written and the stream flushed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">There is no serializer for <typeparamref name="TValue"/>.</exception>
    /// <remarks>
    /// The cache keeps serving during the save: the entries are copied under the lock in one pass of about ten
    /// nanoseconds an entry, and serialized and written outside it. The snapshot holds a consistent set: the entries
    /// the cache held at that moment, in their LRU order.
    /// </remarks>
    public Task SaveSnapshotAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return WriteSnapshotAsync(destination, SnapshotSerializer(), cancellationToken);
    }

    // The save, to a stream; returns the number of entries written.
    private async Task<int> WriteSnapshotAsync(Stream destination, IHybridCacheSerializer<TValue> serializer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SnapshotEntry[] entries = CopyEntries(out int count, out long copiedAt);
        try
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            using SnapshotWriter writer = new(destination);
            await writer.WriteBytesAsync(SnapshotFormat.Magic.ToArray(), cancellationToken).ConfigureAwait(false);
            await writer.WriteUInt16Async(SnapshotFormat.Version, cancellationToken).ConfigureAwait(false);
            await writer.WriteUInt16Async(0, cancellationToken).ConfigureAwait(false); // flags, none yet
            await writer.WriteStringAsync(TypeIdentity<TValue>.Name, cancellationToken).ConfigureAwait(false);
            await writer.WriteStringAsync(SerializerIdentity(serializer), cancellationToken).ConfigureAwait(false);
            await writer.WriteInt64Async(now.UtcTicks, cancellationToken).ConfigureAwait(false);
            await writer.WriteInt64Async(_ttl?.Ticks ?? -1, cancellationToken).ConfigureAwait(false);

            PooledBufferWriter payload = PooledBufferWriter.Rent();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    SnapshotEntry entry = entries[i];
                    payload.Reset();
                    serializer.Serialize(entry.Value, payload);
                    TimeSpan age = _timeProvider.GetElapsedTime(entry.Timestamp, copiedAt);
                    await writer.WriteByteAsync(SnapshotFormat.EntryMarker, cancellationToken).ConfigureAwait(false);
                    await writer.WriteKeyAsync(entry.Key, cancellationToken).ConfigureAwait(false);
                    await writer.WriteStringAsync(null, cancellationToken).ConfigureAwait(false); // partition: the cache's own entries
                    await writer.WriteInt64Async((now - age).UtcTicks, cancellationToken).ConfigureAwait(false);
                    await writer.WriteInt64Async(0, cancellationToken).ConfigureAwait(false); // expiry of its own: none, the cache's TTL applies
                    await writer.WriteInt32Async(entry.HitCount, cancellationToken).ConfigureAwait(false);
                    await writer.WriteInt32Async(payload.WrittenCount, cancellationToken).ConfigureAwait(false);
                    await writer.WriteBytesAsync(payload.WrittenMemory, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                payload.Return();
            }

            await writer.WriteByteAsync(SnapshotFormat.EndMarker, cancellationToken).ConfigureAwait(false);
            await writer.WriteInt64Async(count, cancellationToken).ConfigureAwait(false);
            await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
            return count;
        }
        finally
        {
            ArrayPool<SnapshotEntry>.Shared.Return(entries, clearArray: true);
        }
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
    /// <exception cref="InvalidOperationException">There is no serializer for <typeparamref name="TValue"/>.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public Task SaveSnapshotAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return SaveSnapshotFileAsync(path, cancellationToken);
    }

    /// <summary>The save to a file, atomically; returns the number of entries written.</summary>
    internal async Task<int> SaveSnapshotFileAsync(string path, CancellationToken cancellationToken)
    {
        IHybridCacheSerializer<TValue> serializer = SnapshotSerializer();
        string file = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(file)!, $".{Path.GetFileName(file)}.{Guid.NewGuid():N}.tmp");
        cancellationToken.ThrowIfCancellationRequested();
        FileStream stream = new(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
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
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Reads a snapshot from <paramref name="source"/> and adds its fresh entries, with their values, ages, hit counts
    /// and LRU order. Nothing is added unless the whole snapshot is valid.
    /// </summary>
    /// <param name="source">Where to read; left open.</param>
    /// <param name="cancellationToken">Stops the load; the cache is then unchanged.</param>
    /// <returns>The number of entries loaded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">There is no serializer for <typeparamref name="TValue"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The snapshot is empty, truncated, damaged (its checksum differs), not a snapshot, of a newer format, of another
    /// value type or serializer, or holds a value its serializer cannot read; the message says which, and where.
    /// </exception>
    /// <remarks>
    /// An entry's age goes on from when it was saved (creation times are on the wall clock), and an entry already older
    /// than the TTL is skipped. A key the cache already holds keeps its live entry. Loaded entries go behind the live
    /// ones in LRU order; a bounded cache takes the most recently used until it is full.
    /// </remarks>
    public async Task<int> LoadSnapshotAsync(Stream source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        IHybridCacheSerializer<TValue> serializer = SnapshotSerializer();
        List<LoadedEntry> staged = await ReadSnapshotAsync(source, serializer, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return AddLoaded(staged);
    }

    /// <summary>Loads the snapshot in the file at <paramref name="path"/>; see <see cref="LoadSnapshotAsync(Stream, CancellationToken)"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Stops the load; the cache is then unchanged.</param>
    /// <returns>The number of entries loaded.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidOperationException">There is no serializer for <typeparamref name="TValue"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid snapshot of this cache's values.</exception>
    public async Task<int> LoadSnapshotAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SnapshotSerializer();
        FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            return await LoadSnapshotAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What a periodic save compares: it differs from an earlier reading when an entry was stored, replaced or removed
    /// (changes) or hit (its hit count and LRU place) since. Two numbers, because a clear resets the hits.
    /// </summary>
    internal (long Changes, long Hits) SnapshotVersion => (Volatile.Read(ref _changes), Volatile.Read(ref _hits));

    private static string SerializerIdentity(IHybridCacheSerializer<TValue> serializer) => serializer.GetType().FullName ?? serializer.GetType().Name;

    // Reads and checks the whole snapshot; stages the entries that could be loaded (fresh now, and no more than a
    // bounded cache can take: the live entries only take room from the end of the list, never add to it).
    private async Task<List<LoadedEntry>> ReadSnapshotAsync(Stream source, IHybridCacheSerializer<TValue> serializer, CancellationToken cancellationToken)
    {
        using SnapshotReader reader = new(source);
        ReadOnlyMemory<byte> magic = await reader.ReadBytesAsync(SnapshotFormat.Magic.Length, cancellationToken).ConfigureAwait(false);
        if (!magic.Span.SequenceEqual(SnapshotFormat.Magic))
        {
            throw new InvalidDataException("This is not a ZeroAllocCache snapshot: it does not start with the snapshot magic bytes.");
        }

        ushort version = await reader.ReadUInt16Async(cancellationToken).ConfigureAwait(false);
        if (version > SnapshotFormat.Version)
        {
            throw new InvalidDataException($"The snapshot is in format version {version}, newer than this build reads ({SnapshotFormat.Version}).");
        }

        if (version == 0)
        {
            throw reader.Damaged("its format version is 0");
        }

        _ = await reader.ReadUInt16Async(cancellationToken).ConfigureAwait(false); // flags
        string? valueType = await reader.ReadStringAsync(cancellationToken).ConfigureAwait(false);
        if (valueType != TypeIdentity<TValue>.Name)
        {
            throw new InvalidDataException($"The snapshot holds values of {valueType ?? "no type"}; this cache holds {TypeIdentity<TValue>.Name}.");
        }

        string? serializerName = await reader.ReadStringAsync(cancellationToken).ConfigureAwait(false);
        if (serializerName != SerializerIdentity(serializer))
        {
            throw new InvalidDataException($"The snapshot was written with the serializer {serializerName ?? "(none)"}; this cache's is {SerializerIdentity(serializer)}.");
        }

        _ = await reader.ReadInt64Async(cancellationToken).ConfigureAwait(false); // written at
        _ = await reader.ReadInt64Async(cancellationToken).ConfigureAwait(false); // the saving cache's TTL

        List<LoadedEntry> staged = [];
        DateTimeOffset readAt = _timeProvider.GetUtcNow();
        long entriesRead = 0;
        while (true)
        {
            long index = entriesRead;
            reader.StartEntry(index);
            byte marker = await reader.ReadByteAsync(cancellationToken).ConfigureAwait(false);
            if (marker == SnapshotFormat.EndMarker)
            {
                break;
            }

            entriesRead++;

            if (marker != SnapshotFormat.EntryMarker)
            {
                throw reader.Damaged($"entry {index:N0} starts with the unknown marker {marker}");
            }

            CacheKey key = await reader.ReadKeyAsync(cancellationToken).ConfigureAwait(false);
            string? partition = await reader.ReadStringAsync(cancellationToken).ConfigureAwait(false);
            long created = await reader.ReadInt64Async(cancellationToken).ConfigureAwait(false);
            long expires = await reader.ReadInt64Async(cancellationToken).ConfigureAwait(false);
            int hits = await reader.ReadInt32Async(cancellationToken).ConfigureAwait(false);
            int length = await reader.ReadInt32Async(cancellationToken).ConfigureAwait(false);
            if (created is < 0 || created > DateTimeOffset.MaxValue.UtcTicks || expires is < 0 || expires > DateTimeOffset.MaxValue.UtcTicks
                || hits < 0 || length < 0)
            {
                throw reader.Damaged($"entry {index:N0} has an impossible time, hit count or length");
            }

            ReadOnlyMemory<byte> payload = await reader.ReadBytesAsync(length, cancellationToken).ConfigureAwait(false);
            DateTimeOffset createdAt = new(created, TimeSpan.Zero);
            DateTimeOffset? expiresAt = expires == 0 ? null : new DateTimeOffset(expires, TimeSpan.Zero);
            if ((_maxSize != 0 && staged.Count >= _maxSize) || readAt - createdAt > _ttl || expiresAt <= readAt || partition is not null)
            {
                continue; // checked by the checksum all the same, but never loaded (this build has no partitions)
            }

            TValue value;
            try
            {
                value = serializer.Deserialize(new ReadOnlySequence<byte>(payload));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                throw new InvalidDataException($"The snapshot is damaged: the value of entry {index:N0} cannot be read ({exception.Message}).", exception);
            }

            staged.Add(new LoadedEntry(key, value, createdAt, expiresAt, hits));
        }

        reader.StartSection("the trailer");
        long count = await reader.ReadInt64Async(cancellationToken).ConfigureAwait(false);
        if (count != entriesRead)
        {
            throw reader.Damaged($"its trailer counts {count:N0} entries where it holds {entriesRead:N0}");
        }

        await reader.VerifyChecksumAsync(cancellationToken).ConfigureAwait(false);
        return staged;
    }

    private IHybridCacheSerializer<TValue> SnapshotSerializer() =>
        _serializer ?? throw new InvalidOperationException(
            $"ExactMatchCache<{typeof(TValue).Name}> has no serializer for {typeof(TValue).FullName}, so it cannot save or load snapshots: " +
            "set ExactMatchCacheOptions.Serializer (JsonCacheSerializer<T> takes a source-generated JsonTypeInfo), or register a default with " +
            "CacheSerializers.Register. string and byte[] have one built in.");

    // Under the lock, in one pass: the fresh entries in LRU order, most recent first, by reference.
    private SnapshotEntry[] CopyEntries(out int count, out long copiedAt)
    {
        using (_lock.Enter())
        {
            copiedAt = _timeProvider.GetTimestamp();
            CacheEntry<TValue>[] entries = _pool.Entries;
            SnapshotEntry[] copy = ArrayPool<SnapshotEntry>.Shared.Rent(Math.Max(1, _pool.Count));
            count = 0;
            for (int i = _lru.Head; i != LruList.None; i = entries[i].Next)
            {
                ref CacheEntry<TValue> entry = ref entries[i];
                if (_ttl is { } ttl && _timeProvider.GetElapsedTime(entry.Timestamp, copiedAt) > ttl)
                {
                    continue;
                }

                copy[count++] = new SnapshotEntry(entry.Key, entry.Value, entry.Timestamp, entry.HitCount);
            }

            return copy;
        }
    }

    // The validated entries, in the snapshot's order (most recent first), added behind the live ones, in batches.
    private int AddLoaded(List<LoadedEntry> staged)
    {
        int loaded = 0;
        for (int start = 0; start < staged.Count; start += LoadBatchSize)
        {
            DateTimeOffset nowUtc = _timeProvider.GetUtcNow();
            long now = _timeProvider.GetTimestamp();
            using (_lock.Enter())
            {
                for (int i = start; i < Math.Min(start + LoadBatchSize, staged.Count); i++)
                {
                    LoadedEntry entry = staged[i];
                    TimeSpan age = nowUtc - entry.Created;
                    if (age < TimeSpan.Zero)
                    {
                        age = TimeSpan.Zero;
                    }

                    if (age > _ttl || entry.Expires <= nowUtc)
                    {
                        continue;
                    }

                    if (_index.Find(_pool.Entries, entry.Key) != LruList.None)
                    {
                        continue; // the live entry wins
                    }

                    if (_maxSize != 0 && _pool.Count >= _maxSize)
                    {
                        return loaded; // full: the rest are less recently used than what was loaded
                    }

                    AddLeastRecent(entry.Key, entry.Value, now - (long)(age.TotalSeconds * _timeProvider.TimestampFrequency), entry.Hits);
                    loaded++;
                }
            }
        }

        return loaded;
    }

    // Under the lock: a new entry at the least recently used end.
    private void AddLeastRecent(in CacheKey key, TValue value, long timestamp, int hitCount)
    {
        int index = TakeSlot();
        CacheEntry<TValue>[] entries = _pool.Entries;
        ref CacheEntry<TValue> entry = ref entries[index];
        entry.Key = key;
        entry.Value = value;
        entry.Timestamp = timestamp;
        entry.HitCount = hitCount;
        _index.Add(entries, index);
        _lru.AddLast(entries, index);
        _changes++;
    }

    private readonly record struct SnapshotEntry(CacheKey Key, TValue Value, long Timestamp, int HitCount);

    private readonly record struct LoadedEntry(CacheKey Key, TValue Value, DateTimeOffset Created, DateTimeOffset? Expires, int Hits);
}

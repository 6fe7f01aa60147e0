using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace ZeroAllocCache;

/// <summary>
/// Reads a snapshot from a stream in one pass. The stream is read ahead into one of two buffers while the other is
/// parsed, and every byte handed out goes into an XxHash128, so that the trailer's checksum is checked at the end
/// without the file ever being held in memory whole. Each read names what it was reading, for the message of a
/// snapshot that ends too soon or holds what it cannot.
/// </summary>
internal sealed class SnapshotReader(Stream source) : IAsyncDisposable
{
    // The longest read handed out from a buffer in one piece: the unread tail of one buffer is moved in front of the
    // next, into this room. Longer reads (large payloads) are gathered into an array of their own.
    private const int Headroom = 64 * 1024;
    private const int BufferSize = Headroom + (1 << 20);

    private readonly XxHash128 _checksum = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private byte[] _next = ArrayPool<byte>.Shared.Rent(BufferSize);

    // _buffer[_start.._end) is read and not yet handed out; _buffer[_hashedTo.._start) is handed out, not yet hashed.
    private int _start = Headroom;
    private int _end = Headroom;
    private int _hashedTo = Headroom;

    // The offset in the snapshot of _buffer[0].
    private long _bufferOffset = -Headroom;

    // The read into _next[Headroom..] in flight, if any.
    private Task<int>? _pendingRead;

    private string _section = "the header";
    private long _entry = -1;

    /// <summary>The offset of the next byte to hand out, from the start of the snapshot.</summary>
    public long Position => _bufferOffset + _start;

    private string Reading => _entry >= 0 ? $"entry {_entry:N0}" : _section;

    /// <summary>Reads and checks the magic bytes, the version and the header fields.</summary>
    /// <exception cref="InvalidDataException">Not a snapshot, of a newer version, or damaged.</exception>
    public async ValueTask<SnapshotHeader> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        await RequireMagicAsync(cancellationToken).ConfigureAwait(false);
        ReadOnlyMemory<byte> versionAndFlags = await ReadBytesAsync(2 + 2, cancellationToken).ConfigureAwait(false);
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(versionAndFlags.Span);
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(versionAndFlags.Span[2..]);
        if (version is 0 or > SnapshotFormat.Version)
        {
            // Checked before the checksum can be: a damaged version byte reads as an unknown version too.
            throw new InvalidDataException(
                $"The snapshot is in format version {version}, which this build does not read (it reads 1 to {SnapshotFormat.Version}): a newer ZeroAllocCache wrote it, or it is damaged.");
        }

        if (flags != 0)
        {
            throw Damaged($"its flags are {flags:X4}, where version {version} has none");
        }

        string valueType = await ReadNameAsync(cancellationToken).ConfigureAwait(false) ?? throw Damaged("it names no value type");
        string serializer = await ReadNameAsync(cancellationToken).ConfigureAwait(false) ?? throw Damaged("it names no serializer");
        ReadOnlyMemory<byte> times = await ReadBytesAsync(8 + 8, cancellationToken).ConfigureAwait(false);
        long writtenAt = BinaryPrimitives.ReadInt64LittleEndian(times.Span);
        long ttl = BinaryPrimitives.ReadInt64LittleEndian(times.Span[8..]);
        if (!IsUtcTicks(writtenAt) || ttl is < -1 or 0)
        {
            throw Damaged("its header holds an impossible time or TTL");
        }

        return new SnapshotHeader(valueType, serializer, new DateTimeOffset(writtenAt, TimeSpan.Zero), ttl == -1 ? null : TimeSpan.FromTicks(ttl));
    }

    /// <summary>
    /// Reads the next entry, or returns <see langword="null"/> at the end marker; the record's payload is valid until the
    /// next read.
    /// </summary>
    /// <param name="index">The entry's index, for messages.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="InvalidDataException">The entry is truncated or holds an impossible field.</exception>
    public ValueTask<SnapshotRecord?> ReadEntryAsync(long index, CancellationToken cancellationToken)
    {
        _entry = index;
        return TryReadWholeEntry(index, out SnapshotRecord? record)
            ? new ValueTask<SnapshotRecord?>(record)
            : ReadEntryPieceByPieceAsync(index, cancellationToken);
    }

    // The common case, without an await: the whole entry (or the end marker) is in the buffer, and has no partition.
    private bool TryReadWholeEntry(long index, out SnapshotRecord? record)
    {
        const int FixedSize = 1 + CacheKey.SizeInBytes + 2 + SnapshotFormat.EntryTimesAndLengthSize;
        record = null;
        ReadOnlySpan<byte> available = _buffer.AsSpan(_start, _end - _start);
        if (available.Length >= 1 && available[0] == SnapshotFormat.EndMarker)
        {
            _start++;
            _entry = -1;
            return true;
        }

        if (available.Length < FixedSize
            || available[0] != SnapshotFormat.EntryMarker
            || BinaryPrimitives.ReadUInt16LittleEndian(available[(1 + CacheKey.SizeInBytes)..]) != SnapshotFormat.NoString)
        {
            return false; // more to read, a partition, or damage: the careful path says which
        }

        ReadOnlySpan<byte> fields = available[(1 + CacheKey.SizeInBytes + 2)..];
        int length = BinaryPrimitives.ReadInt32LittleEndian(fields[20..]);
        if (length < 0 || length > available.Length - FixedSize)
        {
            return false;
        }

        long created = BinaryPrimitives.ReadInt64LittleEndian(fields);
        long expires = BinaryPrimitives.ReadInt64LittleEndian(fields[8..]);
        int hitCount = BinaryPrimitives.ReadInt32LittleEndian(fields[16..]);
        if (!IsUtcTicks(created) || (expires != 0 && !IsUtcTicks(expires)) || hitCount < 0)
        {
            return false;
        }

        CacheKey key = CacheKey.FromBytes(available.Slice(1, CacheKey.SizeInBytes));
        record = new SnapshotRecord(key, null, created, expires, hitCount, _buffer.AsMemory(_start + FixedSize, length));
        _start += FixedSize + length;
        return true;
    }

    private async ValueTask<SnapshotRecord?> ReadEntryPieceByPieceAsync(long index, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> marker = await ReadBytesAsync(1, cancellationToken).ConfigureAwait(false);
        if (marker.Span[0] == SnapshotFormat.EndMarker)
        {
            _entry = -1;
            return null;
        }

        if (marker.Span[0] != SnapshotFormat.EntryMarker)
        {
            throw Damaged($"entry {index:N0} starts with the unknown marker {marker.Span[0]}");
        }

        CacheKey key = CacheKey.FromBytes((await ReadBytesAsync(CacheKey.SizeInBytes, cancellationToken).ConfigureAwait(false)).Span);
        string? partition = await ReadNameAsync(cancellationToken).ConfigureAwait(false);
        ReadOnlyMemory<byte> fields = await ReadBytesAsync(SnapshotFormat.EntryTimesAndLengthSize, cancellationToken).ConfigureAwait(false);
        long created = BinaryPrimitives.ReadInt64LittleEndian(fields.Span);
        long expires = BinaryPrimitives.ReadInt64LittleEndian(fields.Span[8..]);
        int hitCount = BinaryPrimitives.ReadInt32LittleEndian(fields.Span[16..]);
        int length = BinaryPrimitives.ReadInt32LittleEndian(fields.Span[20..]);
        if (!IsUtcTicks(created) || (expires != 0 && !IsUtcTicks(expires)) || hitCount < 0 || length < 0)
        {
            throw Damaged($"entry {index:N0} has an impossible time, hit count or length");
        }

        ReadOnlyMemory<byte> payload = await ReadBytesAsync(length, cancellationToken).ConfigureAwait(false);
        return new SnapshotRecord(key, partition, created, expires, hitCount, payload);
    }

    /// <summary>
    /// Reads the trailer: the entry count, compared with <paramref name="entries"/>, and the checksum, compared with the
    /// hash of everything before it; then requires the end of the stream.
    /// </summary>
    /// <exception cref="InvalidDataException">The count or the checksum differs, or bytes follow.</exception>
    public async ValueTask ReadTrailerAsync(long entries, CancellationToken cancellationToken)
    {
        _section = "the trailer";
        long count = BinaryPrimitives.ReadInt64LittleEndian((await ReadBytesAsync(8, cancellationToken).ConfigureAwait(false)).Span);
        if (count != entries)
        {
            throw Damaged($"its trailer counts {count:N0} entries where it holds {entries:N0}");
        }

        _section = "the checksum";
        await FillAsync(SnapshotFormat.ChecksumSize, cancellationToken).ConfigureAwait(false);
        _checksum.Append(_buffer.AsSpan(_hashedTo, _start - _hashedTo));
        _hashedTo = _start;
        long covered = Position;
        Span<byte> expected = stackalloc byte[SnapshotFormat.ChecksumSize];
        _checksum.GetCurrentHash(expected);
        bool same = _buffer.AsSpan(_start, SnapshotFormat.ChecksumSize).SequenceEqual(expected);
        _start += SnapshotFormat.ChecksumSize;
        if (!same)
        {
            throw new InvalidDataException($"The snapshot is damaged: its checksum does not match its {covered:N0} bytes.");
        }

        if (_end > _start || await ReadMoreAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            throw new InvalidDataException($"The snapshot has bytes after its checksum, at offset {Position:N0}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A read in flight still writes into its buffer: let it finish before the buffer goes back to the pool.
        if (_pendingRead is { } pending)
        {
            _pendingRead = null;
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or NotSupportedException)
            {
            }
        }

        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<byte>.Shared.Return(_next);
        _buffer = _next = [];
    }

    // The magic bytes, or as many of them as there are: a short file of another kind is not "truncated".
    private async ValueTask RequireMagicAsync(CancellationToken cancellationToken)
    {
        try
        {
            ReadOnlyMemory<byte> magic = await ReadBytesAsync(SnapshotFormat.Magic.Length, cancellationToken).ConfigureAwait(false);
            if (magic.Span.SequenceEqual(SnapshotFormat.Magic))
            {
                return;
            }
        }
        catch (InvalidDataException) when (_end > _start && SnapshotFormat.Magic.StartsWith(_buffer.AsSpan(_start, _end - _start)))
        {
            throw; // the start of a snapshot, cut short
        }
        catch (InvalidDataException) when (_end > _start)
        {
        }

        throw new InvalidDataException("This is not a ZeroAllocCache snapshot: it does not start with the snapshot magic bytes.");
    }

    private static bool IsUtcTicks(long ticks) => ticks is >= 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks;

    private InvalidDataException Damaged(string what) => new($"The snapshot is damaged: {what} (offset {Position:N0}).");

    private async ValueTask<string?> ReadNameAsync(CancellationToken cancellationToken)
    {
        ushort length = BinaryPrimitives.ReadUInt16LittleEndian((await ReadBytesAsync(2, cancellationToken).ConfigureAwait(false)).Span);
        if (length == SnapshotFormat.NoString)
        {
            return null;
        }

        ReadOnlyMemory<byte> bytes = await ReadBytesAsync(length, cancellationToken).ConfigureAwait(false);
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes.Span);
        }
        catch (DecoderFallbackException)
        {
            throw Damaged($"{Reading} holds a name that is not UTF-8");
        }
    }

    // The next count bytes; from the buffer when they are there (no await), else after reading more.
    private ValueTask<ReadOnlyMemory<byte>> ReadBytesAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            ReadOnlyMemory<byte> bytes = _buffer.AsMemory(_start, count);
            _start += count;
            return new ValueTask<ReadOnlyMemory<byte>>(bytes);
        }

        return ReadBytesSlowAsync(count, cancellationToken);
    }

    private async ValueTask<ReadOnlyMemory<byte>> ReadBytesSlowAsync(int count, CancellationToken cancellationToken)
    {
        if (count <= Headroom)
        {
            await FillAsync(count, cancellationToken).ConfigureAwait(false);
            ReadOnlyMemory<byte> bytes = _buffer.AsMemory(_start, count);
            _start += count;
            return bytes;
        }

        // Longer than the room for a tail: gathered in an array of its own (a payload of that size needs one anyway),
        // grown as the bytes arrive, so that a damaged length fails at the end of the stream rather than allocating it.
        byte[] large = new byte[Math.Min(count, BufferSize * 4)];
        int copied = 0;
        while (copied < count)
        {
            await FillAsync(1, cancellationToken).ConfigureAwait(false);
            int take = Math.Min(count - copied, _end - _start);
            if (copied + take > large.Length)
            {
                Array.Resize(ref large, (int)Math.Min(count, Math.Max((long)large.Length * 2, copied + take)));
            }

            _buffer.AsSpan(_start, take).CopyTo(large.AsSpan(copied));
            _start += take;
            copied += take;
        }

        return large;
    }

    // Makes at least count (at most Headroom) bytes available from _start: takes the buffer read ahead, moves the
    // unread tail of this one in front of it, and starts reading ahead into this one.
    private async ValueTask FillAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            int read = await ReadMoreAsync(cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new InvalidDataException(Position == 0 && _end == _start
                    ? "The snapshot is empty."
                    : $"The snapshot is truncated: it ends at offset {_bufferOffset + _end:N0}, inside {Reading}.");
            }

            _checksum.Append(_buffer.AsSpan(_hashedTo, _start - _hashedTo));
            int tail = _end - _start;
            _buffer.AsSpan(_start, tail).CopyTo(_next.AsSpan(Headroom - tail));
            long tailOffset = Position;
            (_buffer, _next) = (_next, _buffer);
            _start = _hashedTo = Headroom - tail;
            _end = Headroom + read;
            _bufferOffset = tailOffset - _start;
            _pendingRead = ReadAhead(cancellationToken);
        }
    }

    // The number of bytes the read in flight brought into _next[Headroom..] (starting it if none is), 0 at the end.
    private async ValueTask<int> ReadMoreAsync(CancellationToken cancellationToken)
    {
        Task<int> pending = _pendingRead ?? ReadAhead(cancellationToken);
        _pendingRead = null;
        return await pending.ConfigureAwait(false);
    }

    private Task<int> ReadAhead(CancellationToken cancellationToken) =>
        source.ReadAsync(_next.AsMemory(Headroom, BufferSize - Headroom), cancellationToken).AsTask();
}

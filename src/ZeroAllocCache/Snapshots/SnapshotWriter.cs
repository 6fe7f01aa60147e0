using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace ZeroAllocCache;

/// <summary>
/// Writes a snapshot to a stream in one pass. Fields go into one of two buffers; a full buffer is hashed (XxHash128)
/// and handed to the stream while the other fills, so that serializing and writing overlap and the file is never held
/// in memory whole.
/// </summary>
internal sealed class SnapshotWriter(Stream destination) : IAsyncDisposable
{
    // Large enough that a write costs one system call a megabyte; small enough to be two pooled arrays.
    private const int BufferSize = 1 << 20;

    private readonly XxHash128 _checksum = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private byte[] _spare = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _used;

    // The write of the spare buffer in flight, awaited before the spare is filled again.
    private Task _pendingWrite = Task.CompletedTask;

    /// <summary>The bytes written so far, flushed or not.</summary>
    public long Position { get; private set; }

    /// <summary>Writes the magic bytes, the format version, the flags and the header fields.</summary>
    public async ValueTask WriteHeaderAsync(SnapshotHeader header, CancellationToken cancellationToken)
    {
        byte[] valueType = NameBytes(header.ValueType);
        byte[] serializer = NameBytes(header.Serializer);
        int size = SnapshotFormat.Magic.Length + 2 + 2 + (2 + valueType.Length) + (2 + serializer.Length) + 8 + 8;
        await EnsureSpaceAsync(size, cancellationToken).ConfigureAwait(false);

        Span<byte> span = _buffer.AsSpan(_used, size);
        SnapshotFormat.Magic.CopyTo(span);
        int at = SnapshotFormat.Magic.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], SnapshotFormat.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], 0); // flags: none yet
        at += 4;
        at += WriteName(span[at..], valueType);
        at += WriteName(span[at..], serializer);
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], header.WrittenAt.UtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], header.Ttl?.Ticks ?? -1);
        Advance(size);
    }

    /// <summary>Writes one entry: its marker, key, partition, times, hit count and length-prefixed payload.</summary>
    public ValueTask WriteEntryAsync(in CacheKey key, string? partition, long created, long expires, int hitCount, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        byte[]? partitionBytes = partition is null ? null : NameBytes(partition);
        int size = 1 + CacheKey.SizeInBytes + 2 + (partitionBytes?.Length ?? 0) + SnapshotFormat.EntryTimesAndLengthSize;
        if (_buffer.Length - _used < size)
        {
            return WriteEntrySlowAsync(key, partitionBytes, created, expires, hitCount, payload, size, cancellationToken);
        }

        WriteEntryFields(key, partitionBytes, created, expires, hitCount, payload.Length, size);
        return WriteBytesAsync(payload, cancellationToken);
    }

    /// <summary>Writes the end marker, the entry count and the checksum of everything before it; then flushes the stream.</summary>
    public async ValueTask FinishAsync(long count, CancellationToken cancellationToken)
    {
        await EnsureSpaceAsync(1 + 8, cancellationToken).ConfigureAwait(false);
        _buffer[_used] = SnapshotFormat.EndMarker;
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_used + 1), count);
        Advance(1 + 8);

        await FlushBufferAsync(hashed: false, cancellationToken).ConfigureAwait(false); // everything before the checksum is hashed

        _checksum.GetCurrentHash(_buffer.AsSpan(0, SnapshotFormat.ChecksumSize));
        Advance(SnapshotFormat.ChecksumSize);
        await FlushBufferAsync(hashed: true, cancellationToken).ConfigureAwait(false);
        await CompletePendingWriteAsync().ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // A write in flight still reads from its buffer: let it finish (its failure is the save's, already thrown).
        try
        {
            await CompletePendingWriteAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or NotSupportedException)
        {
        }

        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<byte>.Shared.Return(_spare);
        _buffer = _spare = [];
    }

    private static byte[] NameBytes(string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        return bytes.Length < SnapshotFormat.NoString
            ? bytes
            : throw new InvalidOperationException($"A name of {bytes.Length:N0} bytes is too long for a snapshot: '{name[..40]}...'.");
    }

    // A UTF-8 name after its 16-bit length; returns the bytes written.
    private static int WriteName(Span<byte> span, byte[]? name)
    {
        if (name is null)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, SnapshotFormat.NoString);
            return 2;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)name.Length);
        name.CopyTo(span[2..]);
        return 2 + name.Length;
    }

    private async ValueTask WriteEntrySlowAsync(CacheKey key, byte[]? partition, long created, long expires, int hitCount, ReadOnlyMemory<byte> payload, int size, CancellationToken cancellationToken)
    {
        await EnsureSpaceAsync(size, cancellationToken).ConfigureAwait(false);
        WriteEntryFields(key, partition, created, expires, hitCount, payload.Length, size);
        await WriteBytesAsync(payload, cancellationToken).ConfigureAwait(false);
    }

    private void WriteEntryFields(in CacheKey key, byte[]? partition, long created, long expires, int hitCount, int payloadLength, int size)
    {
        Span<byte> span = _buffer.AsSpan(_used, size);
        span[0] = SnapshotFormat.EntryMarker;
        key.CopyTo(span[1..]);
        int at = 1 + CacheKey.SizeInBytes;
        at += WriteName(span[at..], partition);
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], created);
        BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], expires);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 16)..], hitCount);
        BinaryPrimitives.WriteInt32LittleEndian(span[(at + 20)..], payloadLength);
        Advance(size);
    }

    // Copies the bytes into the buffers, handing each to the stream as it fills.
    private ValueTask WriteBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (bytes.Length <= _buffer.Length - _used)
        {
            bytes.Span.CopyTo(_buffer.AsSpan(_used));
            Advance(bytes.Length);
            return ValueTask.CompletedTask;
        }

        return WriteBytesSlowAsync(bytes, cancellationToken);
    }

    private async ValueTask WriteBytesSlowAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            if (_used == _buffer.Length)
            {
                await FlushBufferAsync(hashed: false, cancellationToken).ConfigureAwait(false);
            }

            int take = Math.Min(bytes.Length, _buffer.Length - _used);
            bytes.Span[..take].CopyTo(_buffer.AsSpan(_used));
            Advance(take);
            bytes = bytes[take..];
        }
    }

    private void Advance(int count)
    {
        _used += count;
        Position += count;
    }

    private ValueTask EnsureSpaceAsync(int size, CancellationToken cancellationToken) =>
        _buffer.Length - _used >= size ? ValueTask.CompletedTask : FlushBufferAsync(hashed: false, cancellationToken);

    // Hashes the buffer (unless it is the checksum), starts its write, and goes on in the other buffer meanwhile.
    private async ValueTask FlushBufferAsync(bool hashed, CancellationToken cancellationToken)
    {
        if (_used == 0)
        {
            return;
        }

        if (!hashed)
        {
            _checksum.Append(_buffer.AsSpan(0, _used));
        }

        await CompletePendingWriteAsync().ConfigureAwait(false);
        byte[] full = _buffer;
        _pendingWrite = destination.WriteAsync(full.AsMemory(0, _used), cancellationToken).AsTask();
        _buffer = _spare;
        _spare = full;
        _used = 0;
    }

    private Task CompletePendingWriteAsync()
    {
        Task pending = _pendingWrite;
        _pendingWrite = Task.CompletedTask;
        return pending;
    }
}

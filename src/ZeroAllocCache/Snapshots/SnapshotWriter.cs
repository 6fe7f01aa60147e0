using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace ZeroAllocCache;

/// <summary>
/// Writes a snapshot to a stream in one pass: fields go into a buffer, which is hashed (XxHash128) and written out
/// whenever it fills, so the file is never held in memory whole.
/// </summary>
internal sealed class SnapshotWriter(Stream destination) : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly XxHash128 _checksum = new();
    private byte[] _buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _used;

    /// <summary>The bytes written so far, flushed or not.</summary>
    public long Position { get; private set; }

    public ValueTask WriteBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (bytes.Length <= _buffer.Length - _used)
        {
            bytes.Span.CopyTo(_buffer.AsSpan(_used));
            _used += bytes.Length;
            Position += bytes.Length;
            return ValueTask.CompletedTask;
        }

        return WriteLargeAsync(bytes, cancellationToken);
    }

    public ValueTask WriteByteAsync(byte value, CancellationToken cancellationToken) =>
        WriteFixedAsync(1, value, static (span, v) => span[0] = v, cancellationToken);

    public ValueTask WriteUInt16Async(ushort value, CancellationToken cancellationToken) =>
        WriteFixedAsync(2, value, static (span, v) => BinaryPrimitives.WriteUInt16LittleEndian(span, v), cancellationToken);

    public ValueTask WriteInt32Async(int value, CancellationToken cancellationToken) =>
        WriteFixedAsync(4, value, static (span, v) => BinaryPrimitives.WriteInt32LittleEndian(span, v), cancellationToken);

    public ValueTask WriteInt64Async(long value, CancellationToken cancellationToken) =>
        WriteFixedAsync(8, value, static (span, v) => BinaryPrimitives.WriteInt64LittleEndian(span, v), cancellationToken);

    public ValueTask WriteKeyAsync(CacheKey key, CancellationToken cancellationToken) =>
        WriteFixedAsync(CacheKey.SizeInBytes, key, static (span, k) => k.CopyTo(span), cancellationToken);

    /// <summary>A UTF-8 string after its 16-bit byte length; <see langword="null"/> as the length <c>0xFFFF</c>.</summary>
    public async ValueTask WriteStringAsync(string? value, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await WriteUInt16Async(SnapshotFormat.NoString, cancellationToken).ConfigureAwait(false);
            return;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length >= SnapshotFormat.NoString)
        {
            throw new InvalidOperationException($"A name of {bytes.Length} bytes is too long for a snapshot.");
        }

        await WriteUInt16Async((ushort)bytes.Length, cancellationToken).ConfigureAwait(false);
        await WriteBytesAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the checksum of everything before it, then flushes the stream.</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        byte[] checksum = _checksum.GetCurrentHash();
        await destination.WriteAsync(checksum, cancellationToken).ConfigureAwait(false);
        Position += checksum.Length;
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask WriteFixedAsync<T>(int size, T value, SpanAction<T> write, CancellationToken cancellationToken)
    {
        if (_buffer.Length - _used < size)
        {
            await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        write(_buffer.AsSpan(_used, size), value);
        _used += size;
        Position += size;
    }

    private async ValueTask WriteLargeAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        _checksum.Append(bytes.Span);
        await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        Position += bytes.Length;
    }

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_used == 0)
        {
            return;
        }

        _checksum.Append(_buffer.AsSpan(0, _used));
        await destination.WriteAsync(_buffer.AsMemory(0, _used), cancellationToken).ConfigureAwait(false);
        _used = 0;
    }

    private delegate void SpanAction<in T>(Span<byte> span, T value);
}

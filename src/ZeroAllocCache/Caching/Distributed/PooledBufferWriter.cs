using System.Buffers;
using System.Diagnostics;

namespace ZeroAllocCache;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>: what a distributed
/// read or write is assembled in, so that neither allocates a <see cref="byte"/> array of its own.
/// </summary>
/// <remarks>
/// The writers themselves are kept, one a thread, so that a read or a write allocates no writer either; a writer's
/// array goes back to the pool with it when it is returned.
/// </remarks>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumSize = 256;

    [ThreadStatic]
    private static PooledBufferWriter? t_spare;

    private byte[] _buffer = [];
    private int _written;

    private PooledBufferWriter()
    {
    }

    /// <summary>An empty writer with a pooled array behind it.</summary>
    public static PooledBufferWriter Rent()
    {
        PooledBufferWriter writer = t_spare ?? new PooledBufferWriter();
        t_spare = null;
        writer._buffer = ArrayPool<byte>.Shared.Rent(MinimumSize);
        writer._written = 0;
        return writer;
    }

    /// <summary>Gives the array back to the pool and keeps the writer for the next <see cref="Rent"/> on this thread.</summary>
    public void Return()
    {
        Dispose();
        t_spare = this;
    }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public int WrittenCount => _written;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _written)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Reset() => _written = 0;

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        Debug.Assert(_buffer.Length > 0, "written to after Dispose");
        int size = (int)Math.Min(Math.Max((long)_buffer.Length * 2, (long)_written + needed), Array.MaxLength);
        byte[] larger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}

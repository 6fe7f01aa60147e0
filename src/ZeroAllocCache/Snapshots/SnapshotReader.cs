using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace ZeroAllocCache;

/// <summary>
/// Reads a snapshot from a stream in one pass, hashing (XxHash128) every byte it hands out, so that the trailer's
/// checksum can be checked at the end without the file ever being held in memory whole.
/// </summary>
internal sealed class SnapshotReader(Stream source) : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly XxHash128 _checksum = new();
    private byte[] _buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _start;
    private int _end;

    /// <summary>The offset of the next byte to read, from the start of the snapshot.</summary>
    public long Position { get; private set; }

    private string _section = "the header";
    private long _entry = -1;

    /// <summary>What is being read, for the message of a snapshot that ends too soon.</summary>
    public string Reading => _entry >= 0 ? $"entry {_entry:N0}" : _section;

    /// <summary>Marks the start of a section other than an entry: its name is what a message says.</summary>
    public void StartSection(string name)
    {
        _section = name;
        _entry = -1;
    }

    /// <summary>Marks the start of the entry at <paramref name="index"/> (formatted only when a message needs it).</summary>
    public void StartEntry(long index) => _entry = index;

    public async ValueTask<ReadOnlyMemory<byte>> ReadBytesAsync(int count, CancellationToken cancellationToken)
    {
        if (count <= _buffer.Length)
        {
            await FillAsync(count, cancellationToken).ConfigureAwait(false);
            ReadOnlyMemory<byte> bytes = _buffer.AsMemory(_start, count);
            Consume(count);
            return bytes;
        }

        // Larger than the buffer: gathered in an array of its own (a payload of that size needs one anyway), grown as
        // the bytes arrive, so that a damaged length fails at the end of the stream rather than allocating it all.
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
            Consume(take);
            copied += take;
        }

        return large;
    }

    public async ValueTask<byte> ReadByteAsync(CancellationToken cancellationToken) => (await ReadBytesAsync(1, cancellationToken).ConfigureAwait(false)).Span[0];

    public async ValueTask<ushort> ReadUInt16Async(CancellationToken cancellationToken) =>
        BinaryPrimitives.ReadUInt16LittleEndian((await ReadBytesAsync(2, cancellationToken).ConfigureAwait(false)).Span);

    public async ValueTask<int> ReadInt32Async(CancellationToken cancellationToken) =>
        BinaryPrimitives.ReadInt32LittleEndian((await ReadBytesAsync(4, cancellationToken).ConfigureAwait(false)).Span);

    public async ValueTask<long> ReadInt64Async(CancellationToken cancellationToken) =>
        BinaryPrimitives.ReadInt64LittleEndian((await ReadBytesAsync(8, cancellationToken).ConfigureAwait(false)).Span);

    public async ValueTask<CacheKey> ReadKeyAsync(CancellationToken cancellationToken) =>
        CacheKey.FromBytes((await ReadBytesAsync(CacheKey.SizeInBytes, cancellationToken).ConfigureAwait(false)).Span);

    public async ValueTask<string?> ReadStringAsync(CancellationToken cancellationToken)
    {
        ushort length = await ReadUInt16Async(cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Reads the trailing checksum and compares it with the hash of everything read before it; then requires the end of
    /// the stream.
    /// </summary>
    /// <exception cref="InvalidDataException">The checksum differs, or bytes follow it.</exception>
    public async ValueTask VerifyChecksumAsync(CancellationToken cancellationToken)
    {
        byte[] expected = _checksum.GetCurrentHash();
        StartSection("the checksum");
        await FillAsync(SnapshotFormat.ChecksumSize, cancellationToken).ConfigureAwait(false);
        bool same = _buffer.AsSpan(_start, SnapshotFormat.ChecksumSize).SequenceEqual(expected);
        _start += SnapshotFormat.ChecksumSize;
        Position += SnapshotFormat.ChecksumSize;
        if (!same)
        {
            throw new InvalidDataException($"The snapshot is damaged: its checksum does not match its {Position - SnapshotFormat.ChecksumSize:N0} bytes.");
        }

        if (_end > _start || await source.ReadAsync(_buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) > 0)
        {
            throw new InvalidDataException($"The snapshot has bytes after its checksum, at offset {Position:N0}.");
        }
    }

    public InvalidDataException Damaged(string what) => new($"The snapshot is damaged: {what} (offset {Position:N0}).");

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Consume(int count)
    {
        _checksum.Append(_buffer.AsSpan(_start, count));
        _start += count;
        Position += count;
    }

    // Makes at least count bytes available after _start, reading more from the stream as needed.
    private async ValueTask FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return;
        }

        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        while (_end < count)
        {
            int read = await source.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new InvalidDataException(Position == 0 && _end == 0
                    ? "The snapshot is empty."
                    : $"The snapshot is truncated: it ends at offset {Position + _end:N0}, inside {Reading}.");
            }

            _end += read;
        }
    }
}

using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace ZeroAllocCache.Hashing;

/// <summary>
/// Where an encoded key goes: a buffer that the encoder writes into, streamed through SHA-256 as it fills, and the
/// digest at the end. The <see cref="CacheKeyWriter"/> decides what the bytes are; this decides how they are hashed.
/// </summary>
/// <remarks>
/// <para>
/// The buffer starts on the stack. Where libcrypto's block function is available (<see cref="KeyHashing.Native"/>
/// and <see cref="KeyHashing.NativeWithPrefixTable"/>), a full buffer's whole blocks are compressed and its last
/// partial block moved to the front, so a request of any size streams through it. Elsewhere
/// (<see cref="KeyHashing.Managed"/>) a request that outgrows it moves to a buffer rented from
/// <see cref="ArrayPool{T}.Shared"/>, cleared and returned by <see cref="Dispose"/>, and is hashed whole by
/// <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>. Either way the digest is the SHA-256 of the same bytes.
/// </para>
/// <para>
/// The encoder marks where each field starts (<see cref="BeginField"/>): the bytes before the last field are the
/// request's repeated prefix. With <see cref="KeyHashing.NativeWithPrefixTable"/>, the state after that prefix is
/// looked up in <see cref="HashPrefixTable"/> and resumed from, or computed and offered to it.
/// </para>
/// </remarks>
internal ref struct KeyHashSink
{
    /// <summary>The size of the stack buffer a key starts with.</summary>
    public const int StackBufferSize = 2048;

    private KeyHashing _hashing;

    private Span<byte> _buffer;
    private int _position;
    private byte[]? _rented;

    // Where the last field began. The bytes before it are the request's repeated prefix (see HashPrefixTable).
    private int _lastFieldStart;

    // Streaming: when the buffer filled up, its whole blocks were compressed into _state and its last partial block
    // moved to the front.
    private bool _streamStarted;
    private Sha256State _state;
    private long _hashedLength;

    // The prefix-table slot the digest resumed from, when it did.
    private PrefixSlot _resumedFrom;

    /// <summary>
    /// Starts <paramref name="sink"/>, where it lies, on an empty message in <paramref name="initialBuffer"/>.
    /// </summary>
    /// <remarks>
    /// Every field is assigned in place rather than from a constructed copy: a key is only a few hundred nanoseconds,
    /// and building the sink in a temporary and copying it cost several of them.
    /// </remarks>
    public static void Start(ref KeyHashSink sink, Span<byte> initialBuffer, KeyHashing hashing)
    {
        Debug.Assert(initialBuffer.Length >= Sha256Padding.BlockSize);
        sink.StartFields(initialBuffer, hashing, streamStarted: false);
    }

    /// <summary>The prefix-table slot the digest resumed from, or <see cref="PrefixSlot.None"/>. Read after <see cref="FinishStreamed"/>.</summary>
    public readonly PrefixSlot ResumedFrom => _resumedFrom;

    /// <summary>
    /// Whether full buffers are hashed and reused. When they are not, the whole message stays in one (growing)
    /// buffer until <see cref="FinishBuffered"/>.
    /// </summary>
    public readonly bool IsStreaming => _hashing != KeyHashing.Managed;

    /// <summary>The room left in the buffer, to write into and then <see cref="Advance"/> over.</summary>
    public readonly Span<byte> Free => _buffer[_position..];

    /// <summary>
    /// Starts <paramref name="sink"/>, where it lies, after a prefix found earlier in <paramref name="slot"/>, if the
    /// slot still holds it: the prefix's last partial block is copied into <paramref name="buffer"/>, and what follows
    /// is written after it.
    /// </summary>
    /// <remarks>
    /// In place, not returned: a sink copied as a whole moves its state in one 32-byte store, which the two 16-byte
    /// loads of the next compression cannot be forwarded from (see <see cref="Sha256State.Copy"/>).
    /// </remarks>
    /// <returns><see langword="false"/> when the slot has been written since; the sink is then unusable.</returns>
    public static bool TryResume(PrefixSlot slot, Span<byte> buffer, ref KeyHashSink sink)
    {
        sink.StartFields(buffer, KeyHashing.NativeWithPrefixTable, streamStarted: true);
        int partialLength = HashPrefixTable.TryResume(slot, ref sink._state, buffer, out int hashedLength);
        sink._position = partialLength;
        sink._hashedLength = hashedLength;
        return partialLength >= 0;
    }

    /// <summary>Starts a field of <paramref name="size"/> bytes and returns them to be written.</summary>
    public Span<byte> BeginField(int size)
    {
        EnsureCapacity(size);
        _lastFieldStart = _position;
        Span<byte> field = _buffer.Slice(_position, size);
        _position += size;
        return field;
    }

    /// <summary>Returns the next <paramref name="size"/> bytes of the current field, to be written.</summary>
    public Span<byte> Reserve(int size)
    {
        EnsureCapacity(size);
        Span<byte> bytes = _buffer.Slice(_position, size);
        _position += size;
        return bytes;
    }

    /// <summary>Counts <paramref name="count"/> bytes written into <see cref="Free"/> as part of the message.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count)
    {
        Debug.Assert((uint)count <= (uint)(_buffer.Length - _position));
        _position += count;
    }

    /// <summary>Makes <see cref="Free"/> at least <paramref name="size"/> bytes long.</summary>
    public void EnsureCapacity(int size)
    {
        if (size > _buffer.Length - _position)
        {
            MakeRoom(size);
        }
    }

    /// <summary>
    /// Makes room for <paramref name="size"/> more bytes: by hashing the buffer's whole blocks when streaming and the
    /// room then suffices, otherwise by moving to a larger rented buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void MakeRoom(int size)
    {
        // A flush leaves at most a partial block in the buffer.
        if (IsStreaming && size <= _buffer.Length - (Sha256Padding.BlockSize - 1))
        {
            Flush();
        }
        else
        {
            Grow(size);
        }
    }

    /// <summary>
    /// Appends <paramref name="bytes"/> to the message; bytes too large for the buffer are hashed where they lie when
    /// streaming, without being copied.
    /// </summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (IsStreaming && bytes.Length > _buffer.Length - _position)
        {
            HashInPlace(bytes);
            return;
        }

        EnsureCapacity(bytes.Length);
        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
    }

    /// <summary>
    /// Hashes the message written so far and returns its digest, bytes in order, when <see cref="IsStreaming"/>: the
    /// state is finished where it is, after the stored prefix or the blocks already streamed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<byte> FinishStreamed()
    {
        Debug.Assert(IsStreaming);
        int hashedFromBuffer = _streamStarted ? 0 : StartFromPrefix(ref _state);
        CompressTail(ref _state, hashedFromBuffer);
        return _state.ToDigest();
    }

    /// <summary>Hashes the whole buffered message and returns its digest, when not <see cref="IsStreaming"/>.</summary>
    public readonly Vector256<byte> FinishBuffered()
    {
        Debug.Assert(!IsStreaming);
        return HashManaged(_buffer[.._position]);
    }

    /// <summary>Returns the pooled buffer, if one was rented, after clearing what the message wrote into it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose()
    {
        if (_rented is not null)
        {
            ReturnRentedBuffer();
        }
    }

    // Every field but the state, which is either written before it is read or never read.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StartFields(Span<byte> buffer, KeyHashing hashing, bool streamStarted)
    {
        _hashing = hashing;
        _buffer = buffer;
        _position = 0;
        _rented = null;
        _lastFieldStart = 0;
        _streamStarted = streamStarted;
        _hashedLength = 0;
        _resumedFrom = PrefixSlot.None;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReturnRentedBuffer()
    {
        byte[] rented = _rented!;
        rented.AsSpan(0, _position).Clear();
        _rented = null;
        _buffer = default;
        _position = 0;
        ArrayPool<byte>.Shared.Return(rented);
    }

    // Out of line: inlined, SHA256.HashData's own P/Invoke would make every caller set up a P/Invoke frame on entry,
    // which costs the native path tens of nanoseconds it never uses.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<byte> HashManaged(ReadOnlySpan<byte> message)
    {
        Span<byte> digest = stackalloc byte[Vector256<byte>.Count];
        SHA256.HashData(message, digest);
        return Vector256.Create<byte>(digest);
    }

    // The whole message is in the buffer: start from the state after its prefix's whole blocks, stored by an earlier
    // message with the same prefix or computed now (and offered to the table). Returns how many of the buffer's bytes
    // the state covers. Out of line: inlined, it spent the inlining budget that the state copies and the digest need.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int StartFromPrefix(ref Sha256State state)
    {
        int prefixLength = _lastFieldStart;
        if (_hashing != KeyHashing.NativeWithPrefixTable || prefixLength < HashPrefixTable.MinimumPrefixLength)
        {
            Sha256State.Copy(in Sha256State.Initial, ref state);
            return 0;
        }

        ReadOnlySpan<byte> prefix = _buffer[..prefixLength];
        int wholeBlocks = prefixLength & ~(Sha256Padding.BlockSize - 1);
        if (!HashPrefixTable.TryResume(prefix, ref state, out _resumedFrom))
        {
            Sha256State.Copy(in Sha256State.Initial, ref state);
            NativeSha256.CompressBlocks(ref state, prefix[..wholeBlocks]);
            HashPrefixTable.Offer(prefix, state);
        }

        return wholeBlocks;
    }

    // Compresses the buffer from a block boundary to the end of the message, then the padding: in place when the
    // buffer has room for it (one native call), otherwise the last partial block goes through a block of its own.
    private readonly void CompressTail(ref Sha256State state, int start)
    {
        long messageLength = _hashedLength + _position;
        Span<byte> tail = _buffer[start..];
        int tailLength = _position - start;
        if (tail.Length - tailLength >= Sha256Padding.MaximumLength)
        {
            NativeSha256.CompressBlocks(ref state, tail[..Sha256Padding.Append(tail, tailLength, messageLength)]);
            return;
        }

        FinishThroughSpareBlock(ref state, tail[..tailLength], messageLength);
    }

    // Out of line, so that CompressTail has no stack allocation and can be inlined.
    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit] // the padding overwrites what it uses
    private static void FinishThroughSpareBlock(ref Sha256State state, ReadOnlySpan<byte> tail, long messageLength)
    {
        int tailLength = tail.Length;
        int wholeBlocks = tailLength & ~(Sha256Padding.BlockSize - 1);
        NativeSha256.CompressBlocks(ref state, tail[..wholeBlocks]);
        Span<byte> last = stackalloc byte[Sha256Padding.BlockSize + Sha256Padding.MaximumLength];
        tail[wholeBlocks..tailLength].CopyTo(last);
        NativeSha256.CompressBlocks(ref state, last[..Sha256Padding.Append(last, tailLength - wholeBlocks, messageLength)]);
    }

    // Compresses the buffer's whole blocks and moves its last partial block to the front. The prefix is gone from the
    // buffer, so this message will not use the prefix table.
    private void Flush()
    {
        if (!_streamStarted)
        {
            Sha256State.Copy(in Sha256State.Initial, ref _state);
            _streamStarted = true;
        }

        int wholeBlocks = _position & ~(Sha256Padding.BlockSize - 1);
        NativeSha256.CompressBlocks(ref _state, _buffer[..wholeBlocks]);
        _hashedLength += wholeBlocks;
        _buffer[wholeBlocks.._position].CopyTo(_buffer);
        _position -= wholeBlocks;
    }

    // Hashes bytes too large for the buffer where they lie, without copying them: the buffer's partial block is
    // completed from their start, their whole blocks are compressed in place, and their last partial block is buffered.
    private void HashInPlace(ReadOnlySpan<byte> bytes)
    {
        Flush();
        if (_position > 0)
        {
            int fill = Sha256Padding.BlockSize - _position;
            bytes[..fill].CopyTo(_buffer[_position..]);
            NativeSha256.CompressBlocks(ref _state, _buffer[..Sha256Padding.BlockSize]);
            _hashedLength += Sha256Padding.BlockSize;
            _position = 0;
            bytes = bytes[fill..];
        }

        int wholeBlocks = bytes.Length & ~(Sha256Padding.BlockSize - 1);
        NativeSha256.CompressBlocks(ref _state, bytes[..wholeBlocks]);
        _hashedLength += wholeBlocks;
        bytes[wholeBlocks..].CopyTo(_buffer);
        _position = bytes.Length - wholeBlocks;
    }

    private void Grow(int size)
    {
        int required = checked(_position + size);
        int length = Math.Max(required, (int)Math.Min((long)_buffer.Length * 2, Array.MaxLength));
        byte[] larger = ArrayPool<byte>.Shared.Rent(length);
        _buffer[.._position].CopyTo(larger);

        byte[]? previous = _rented;
        _rented = larger;
        _buffer = larger;
        if (previous is not null)
        {
            previous.AsSpan(0, _position).Clear();
            ArrayPool<byte>.Shared.Return(previous);
        }
    }
}

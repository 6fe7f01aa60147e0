using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

using ZeroAllocCache.Hashing;

namespace ZeroAllocCache;

/// <summary>
/// Encodes the fields of a request into the bytes that <see cref="CacheKey"/> hashes. Handed to
/// <see cref="ICacheKeySource.WriteTo(ref CacheKeyWriter)"/> by <see cref="CacheKey.Create{TSource}(in TSource)"/>.
/// </summary>
/// <remarks>
/// <para>
/// The encoding starts with a format-version byte; every field is a kind tag followed by its payload, so that no
/// two different sequences of fields encode to the same bytes:
/// </para>
/// <list type="bullet">
/// <item>Strings and character spans: their length in UTF-16 code units (32-bit little-endian), then their UTF-8
/// bytes. A lone surrogate is written as its own three-byte sequence (WTF-8) instead of being replaced, so strings
/// that differ only in lone surrogates keep different keys. <see langword="null"/> is a field of its own, distinct
/// from the empty string.</item>
/// <item>Integers, <see cref="char"/>, <see cref="bool"/>, <see cref="Guid"/> and <see cref="TimeSpan"/>: their
/// little-endian bytes. Enums: their underlying integer.</item>
/// <item><see cref="float"/> and <see cref="double"/>: by value; <c>-0.0</c> is written as <c>0.0</c> and every NaN
/// as the one canonical NaN, so a NaN field always gives the same key.</item>
/// <item><see cref="decimal"/>: by value; trailing zeros are dropped, so <c>1.0m</c> and <c>1.00m</c> give one key.</item>
/// <item><see cref="DateTime"/>: ticks and <see cref="DateTime.Kind"/>. <see cref="DateTimeOffset"/>: clock ticks
/// and offset. Values that print differently key differently.</item>
/// <item>Sequences: their element count, then each element.</item>
/// </list>
/// <para>
/// Fields are written into a stack buffer. Where libcrypto's SHA-256 is available, a full buffer is hashed and
/// reused, so a request of any size streams through it; elsewhere a request that outgrows it moves to a buffer
/// rented from <see cref="ArrayPool{T}.Shared"/>, cleared and returned when the key is complete. Either way the key
/// is the SHA-256 of the same bytes.
/// </para>
/// </remarks>
public ref struct CacheKeyWriter
{
    /// <summary>The size of the stack buffer <see cref="CacheKey.Create{TSource}(in TSource)"/> starts with.</summary>
    internal const int StackBufferSize = 2048;

    /// <summary>The first byte of every encoding. Bump it when the encoding changes, so old keys retire.</summary>
    internal const byte FormatVersion = 1;

    private const int TagSize = 1;
    private const int LengthSize = sizeof(int);

    // The longest UTF-8 sequence: the room a string needs to make progress.
    private const int MaxUtf8SequenceLength = 4;

    private readonly KeyHashing _hashing;

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

    // The prefix-table slot the key resumed from, when it did.
    private PrefixSlot _resumedFrom;

    internal CacheKeyWriter(Span<byte> initialBuffer, KeyHashing hashing)
    {
        Debug.Assert(initialBuffer.Length >= 64);
        _hashing = hashing;
        _buffer = initialBuffer;
        _buffer[0] = FormatVersion;
        _position = 1;
        _resumedFrom = PrefixSlot.None;
    }

    // A key whose prefix is already hashed: TryResume fills in the state, the hashed length and the partial block.
    private CacheKeyWriter(Span<byte> buffer)
    {
        _hashing = KeyHashing.NativeWithPrefixTable;
        _buffer = buffer;
        _streamStarted = true;
        _resumedFrom = PrefixSlot.None;
    }

    /// <summary>The prefix-table slot the key resumed from, or <see cref="PrefixSlot.None"/>. Read after <see cref="ComputeKey"/>.</summary>
    internal readonly PrefixSlot ResumedFrom => _resumedFrom;

    private readonly bool IsStreaming => _hashing != KeyHashing.Managed;

    /// <summary>Writes a string, or a null marker when <paramref name="value"/> is <see langword="null"/>.</summary>
    /// <param name="value">The string.</param>
    public void Write(string? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }

        Write(value.AsSpan());
    }

    /// <summary>Writes a span of characters; it encodes exactly as a string with the same characters.</summary>
    /// <param name="value">The characters.</param>
    public void Write(ReadOnlySpan<char> value)
    {
        WriteHeader(CacheKeyFieldTag.String, value.Length);

        // Most text is ASCII and fits: narrowed in place, a byte a character.
        if (value.Length <= _buffer.Length - _position)
        {
            int narrowed = AsciiNarrowing.NarrowLeadingAscii(value, _buffer[_position..]);
            _position += narrowed;
            if (narrowed == value.Length)
            {
                return;
            }

            value = value[narrowed..];
        }

        WriteBeyondAscii(value);
    }

    /// <summary>Writes a marker for an absent value: a <see langword="null"/> reference or an empty nullable.</summary>
    public void WriteNull()
    {
        EnsureCapacity(TagSize);
        _lastFieldStart = _position;
        _buffer[_position++] = (byte)CacheKeyFieldTag.Null;
    }

    /// <summary>Writes a Boolean.</summary>
    /// <param name="value">The value.</param>
    public void Write(bool value) => WriteScalar(CacheKeyFieldTag.Boolean, value ? (byte)1 : (byte)0);

    /// <summary>Writes a UTF-16 code unit.</summary>
    /// <param name="value">The value.</param>
    public void Write(char value) => WriteScalar(CacheKeyFieldTag.Char, (ushort)value);

    /// <summary>Writes a signed byte.</summary>
    /// <param name="value">The value.</param>
    public void Write(sbyte value) => WriteScalar(CacheKeyFieldTag.SByte, value);

    /// <summary>Writes a byte.</summary>
    /// <param name="value">The value.</param>
    public void Write(byte value) => WriteScalar(CacheKeyFieldTag.Byte, value);

    /// <summary>Writes a 16-bit integer.</summary>
    /// <param name="value">The value.</param>
    public void Write(short value) => WriteScalar(CacheKeyFieldTag.Int16, value);

    /// <summary>Writes an unsigned 16-bit integer.</summary>
    /// <param name="value">The value.</param>
    public void Write(ushort value) => WriteScalar(CacheKeyFieldTag.UInt16, value);

    /// <summary>Writes a 32-bit integer.</summary>
    /// <param name="value">The value.</param>
    public void Write(int value) => WriteScalar(CacheKeyFieldTag.Int32, value);

    /// <summary>Writes an unsigned 32-bit integer.</summary>
    /// <param name="value">The value.</param>
    public void Write(uint value) => WriteScalar(CacheKeyFieldTag.UInt32, value);

    /// <summary>Writes a 64-bit integer.</summary>
    /// <param name="value">The value.</param>
    public void Write(long value) => WriteScalar(CacheKeyFieldTag.Int64, value);

    /// <summary>Writes an unsigned 64-bit integer.</summary>
    /// <param name="value">The value.</param>
    public void Write(ulong value) => WriteScalar(CacheKeyFieldTag.UInt64, value);

    /// <summary>Writes a single-precision number by value: <c>-0.0</c> as <c>0.0</c>, every NaN as one NaN.</summary>
    /// <param name="value">The value.</param>
    public void Write(float value) => WriteScalar(CacheKeyFieldTag.Single, EncodedBits(value));

    /// <summary>Writes a double-precision number by value: <c>-0.0</c> as <c>0.0</c>, every NaN as one NaN.</summary>
    /// <param name="value">The value.</param>
    public void Write(double value)
    {
        if (value == 0d)
        {
            value = 0d;
        }
        else if (double.IsNaN(value))
        {
            value = double.NaN;
        }

        WriteScalar(CacheKeyFieldTag.Double, BitConverter.DoubleToInt64Bits(value));
    }

    /// <summary>The bits a single-precision number is written as: <c>-0.0</c> as <c>0.0</c>, every NaN as one NaN.</summary>
    internal static int EncodedBits(float value)
    {
        if (value == 0f)
        {
            value = 0f;
        }
        else if (float.IsNaN(value))
        {
            value = float.NaN;
        }

        return BitConverter.SingleToInt32Bits(value);
    }

    /// <summary>Writes a decimal by value: trailing zeros are dropped and negative zero is zero.</summary>
    /// <param name="value">The value.</param>
    public void Write(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        UInt128 mantissa = new(0, ((ulong)(uint)bits[2] << 32) | (uint)bits[1]);
        mantissa = (mantissa << 32) | (uint)bits[0];
        byte scale = (byte)(bits[3] >> 16);
        bool negative = bits[3] < 0;

        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        if (mantissa == 0)
        {
            negative = false;
        }

        const int payload = 12 + 2;
        EnsureCapacity(TagSize + payload);
        _lastFieldStart = _position;
        Span<byte> destination = _buffer.Slice(_position, TagSize + payload);
        destination[0] = (byte)CacheKeyFieldTag.Decimal;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], (ulong)mantissa);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[9..], (uint)(mantissa >> 64));
        destination[13] = scale;
        destination[14] = negative ? (byte)1 : (byte)0;
        _position += TagSize + payload;
    }

    /// <summary>Writes a GUID.</summary>
    /// <param name="value">The value.</param>
    public void Write(Guid value)
    {
        EnsureCapacity(TagSize + 16);
        _lastFieldStart = _position;
        _buffer[_position++] = (byte)CacheKeyFieldTag.Guid;
        value.TryWriteBytes(_buffer[_position..]);
        _position += 16;
    }

    /// <summary>Writes a date and time as its ticks and its <see cref="DateTime.Kind"/>.</summary>
    /// <param name="value">The value.</param>
    public void Write(DateTime value)
    {
        WriteScalar(CacheKeyFieldTag.DateTime, value.Ticks);
        WriteRaw((byte)value.Kind);
    }

    /// <summary>Writes a date and time with offset as its clock ticks and its offset.</summary>
    /// <param name="value">The value.</param>
    public void Write(DateTimeOffset value)
    {
        WriteScalar(CacheKeyFieldTag.DateTimeOffset, value.Ticks);
        WriteRaw((short)value.TotalOffsetMinutes);
    }

    /// <summary>Writes a time interval as its ticks.</summary>
    /// <param name="value">The value.</param>
    public void Write(TimeSpan value) => WriteScalar(CacheKeyFieldTag.TimeSpan, value.Ticks);

    /// <summary>Writes an enum value as its underlying integer, without boxing.</summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    /// <param name="value">The value.</param>
    public void WriteEnum<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        ulong bits = Unsafe.SizeOf<TEnum>() switch
        {
            1 => Unsafe.As<TEnum, byte>(ref value),
            2 => Unsafe.As<TEnum, ushort>(ref value),
            4 => Unsafe.As<TEnum, uint>(ref value),
            _ => Unsafe.As<TEnum, ulong>(ref value),
        };
        WriteScalar(CacheKeyFieldTag.Enum, bits);
    }

    /// <summary>Writes a nullable Boolean: its value, or a null marker.</summary>
    /// <param name="value">The value.</param>
    public void Write(bool? value) => WriteNullable(value);

    /// <summary>Writes a nullable 32-bit integer: its value, or a null marker.</summary>
    /// <param name="value">The value.</param>
    public void Write(int? value) => WriteNullable(value);

    /// <summary>Writes a nullable 64-bit integer: its value, or a null marker.</summary>
    /// <param name="value">The value.</param>
    public void Write(long? value) => WriteNullable(value);

    /// <summary>Writes a nullable single-precision number: its value (normalised as for <see cref="float"/>), or a null marker.</summary>
    /// <param name="value">The value.</param>
    public void Write(float? value) => WriteNullable(value);

    /// <summary>Writes a nullable double-precision number: its value (normalised as for <see cref="double"/>), or a null marker.</summary>
    /// <param name="value">The value.</param>
    public void Write(double? value) => WriteNullable(value);

    /// <summary>Writes a nullable enum value: its underlying integer, or a null marker.</summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    /// <param name="value">The value.</param>
    public void WriteEnum<TEnum>(TEnum? value)
        where TEnum : struct, Enum
    {
        if (value is { } present)
        {
            WriteEnum(present);
        }
        else
        {
            WriteNull();
        }
    }

    /// <summary>Writes raw bytes, such as an image or an audio clip, as one field.</summary>
    /// <param name="value">The bytes.</param>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteHeader(CacheKeyFieldTag.Bytes, value.Length);
        if (IsStreaming && value.Length > _buffer.Length - _position)
        {
            HashInPlace(value);
            return;
        }

        EnsureCapacity(value.Length);
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    /// <summary>
    /// Starts a sequence of <paramref name="count"/> elements; write exactly that many fields after it.
    /// </summary>
    /// <param name="count">The number of elements that follow.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void BeginSequence(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        WriteScalar(CacheKeyFieldTag.Sequence, count);
    }

    /// <summary>Writes a sequence of strings, such as a message history; a null element is written as null.</summary>
    /// <param name="values">The strings.</param>
    public void WriteSequence(ReadOnlySpan<string?> values)
    {
        BeginSequence(values.Length);
        foreach (string? value in values)
        {
            Write(value);
        }
    }

    /// <summary>Writes an array of strings, or a null marker when the array is <see langword="null"/>.</summary>
    /// <param name="values">The strings.</param>
    public void WriteSequence(string?[]? values)
    {
        if (values is null)
        {
            WriteNull();
            return;
        }

        WriteSequence(new ReadOnlySpan<string?>(values));
    }

    /// <summary>Writes a list of strings, or a null marker when the list is <see langword="null"/>.</summary>
    /// <param name="values">The strings; indexed, not enumerated, so that no enumerator is allocated.</param>
    public void WriteSequence(IReadOnlyList<string?>? values)
    {
        if (values is null)
        {
            WriteNull();
            return;
        }

        int count = values.Count;
        BeginSequence(count);
        for (int i = 0; i < count; i++)
        {
            Write(values[i]);
        }
    }

    /// <summary>
    /// Writes the identity of <typeparamref name="T"/> as it is at run time: its assembly's simple name and its full
    /// name, generic arguments included, without versions. Generated keys of generic types write their type arguments
    /// this way, so that <c>Bot&lt;int&gt;</c> and <c>Bot&lt;string&gt;</c> never share entries.
    /// </summary>
    /// <typeparam name="T">The type to write.</typeparam>
    /// <remarks>The name is computed once per type: writing it allocates nothing after the first time.</remarks>
    public void WriteType<T>()
        where T : allows ref struct =>
        Write(TypeIdentity<T>.Name);

    /// <summary>Writes a nested request shape as one delimited field.</summary>
    /// <typeparam name="TSource">The nested shape; a struct is written without boxing.</typeparam>
    /// <param name="source">The nested value.</param>
    public void Write<TSource>(in TSource source)
        where TSource : ICacheKeySource
    {
        EnsureCapacity(TagSize);
        _lastFieldStart = _position;
        WriteRaw((byte)CacheKeyFieldTag.NestedStart);
        source.WriteTo(ref this);
        WriteRaw((byte)CacheKeyFieldTag.NestedEnd);
    }

    /// <summary>
    /// Starts a writer after a prefix found earlier in <paramref name="slot"/>, if the slot still holds it: the prefix's
    /// last partial block is copied into <paramref name="buffer"/>, and the fields that follow are written after it.
    /// </summary>
    /// <returns><see langword="false"/> when the slot has been written since; <paramref name="writer"/> is then unusable.</returns>
    internal static bool TryResume(PrefixSlot slot, Span<byte> buffer, out CacheKeyWriter writer)
    {
        writer = new CacheKeyWriter(buffer);
        int partialLength = HashPrefixTable.TryResume(slot, ref writer._state, buffer, out int hashedLength);
        writer._position = partialLength;
        writer._hashedLength = hashedLength;
        return partialLength >= 0;
    }

    /// <summary>Hashes the bytes written so far into a key.</summary>
    internal CacheKey ComputeKey() => IsStreaming ? HashNative() : HashManaged(_buffer[.._position]);

    /// <summary>Returns the pooled buffer, if one was rented, after clearing what the request wrote into it.</summary>
    internal void Dispose()
    {
        if (_rented is not null)
        {
            ReturnRentedBuffer();
        }
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
    private static CacheKey HashManaged(ReadOnlySpan<byte> encoding)
    {
        Span<byte> digest = stackalloc byte[CacheKey.SizeInBytes];
        SHA256.HashData(encoding, digest);
        return new CacheKey(digest);
    }

    // The key is finished in the writer's own state: a streamed or resumed key has it already.
    private CacheKey HashNative()
    {
        int hashedFromBuffer = _streamStarted ? 0 : StartFromPrefix(ref _state);
        Finish(ref _state, hashedFromBuffer);
        return _state.ToKey();
    }

    // The whole request is in the buffer: start from the state after its prefix's whole blocks, stored by an earlier
    // request with the same prefix or computed now (and offered to the table). Returns how many of the buffer's bytes
    // the state covers.
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

    // Compresses the buffer from a block boundary to the end of the request, then the padding: in place when the
    // buffer has room for it (one native call), otherwise the last partial block goes through a block of its own.
    private readonly void Finish(ref Sha256State state, int start)
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

    // Out of line, so that Finish has no stack allocation and can be inlined.
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

    // The value through its own overload (so it is normalised and tagged as usual), or a null marker.
    private void WriteNullable<T>(T? value)
        where T : struct
    {
        if (value is not { } present)
        {
            WriteNull();
        }
        else if (typeof(T) == typeof(bool))
        {
            Write(Unsafe.As<T, bool>(ref present));
        }
        else if (typeof(T) == typeof(int))
        {
            Write(Unsafe.As<T, int>(ref present));
        }
        else if (typeof(T) == typeof(long))
        {
            Write(Unsafe.As<T, long>(ref present));
        }
        else if (typeof(T) == typeof(float))
        {
            Write(Unsafe.As<T, float>(ref present));
        }
        else
        {
            Debug.Assert(typeof(T) == typeof(double));
            Write(Unsafe.As<T, double>(ref present));
        }
    }

    private void WriteHeader(CacheKeyFieldTag tag, int length)
    {
        EnsureCapacity(TagSize + LengthSize);
        _lastFieldStart = _position;
        _buffer[_position] = (byte)tag;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer[(_position + TagSize)..], length);
        _position += TagSize + LengthSize;
    }

    private void WriteScalar<T>(CacheKeyFieldTag tag, T value)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        EnsureCapacity(TagSize + size);
        _lastFieldStart = _position;
        _buffer[_position] = (byte)tag;
        WriteLittleEndian(_buffer.Slice(_position + TagSize, size), value);
        _position += TagSize + size;
    }

    private void WriteRaw<T>(T value)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        EnsureCapacity(size);
        WriteLittleEndian(_buffer.Slice(_position, size), value);
        _position += size;
    }

    private static void WriteLittleEndian<T>(Span<byte> destination, T value)
        where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian && Unsafe.SizeOf<T>() > 1)
        {
            // Keys must not depend on the machine's byte order.
            destination = destination[..Unsafe.SizeOf<T>()];
            Unsafe.WriteUnaligned(ref destination[0], value);
            destination.Reverse();
            return;
        }

        Unsafe.WriteUnaligned(ref destination[0], value);
    }

    private void EnsureCapacity(int additional)
    {
        if (additional > _buffer.Length - _position)
        {
            MakeRoom(additional);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MakeRoom(int additional)
    {
        // A flush leaves at most a partial block in the buffer.
        if (IsStreaming && additional <= _buffer.Length - (Sha256Padding.BlockSize - 1))
        {
            Flush();
        }
        else
        {
            Grow(additional);
        }
    }

    // Compresses the buffer's whole blocks and moves its last partial block to the front. The prefix is gone from the
    // buffer, so this request will not use the prefix table.
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
    private void HashInPlace(ReadOnlySpan<byte> value)
    {
        Flush();
        if (_position > 0)
        {
            int fill = Sha256Padding.BlockSize - _position;
            value[..fill].CopyTo(_buffer[_position..]);
            NativeSha256.CompressBlocks(ref _state, _buffer[..Sha256Padding.BlockSize]);
            _hashedLength += Sha256Padding.BlockSize;
            _position = 0;
            value = value[fill..];
        }

        int wholeBlocks = value.Length & ~(Sha256Padding.BlockSize - 1);
        NativeSha256.CompressBlocks(ref _state, value[..wholeBlocks]);
        _hashedLength += wholeBlocks;
        value[wholeBlocks..].CopyTo(_buffer);
        _position = value.Length - wholeBlocks;
    }

    private void Grow(int additional)
    {
        int required = checked(_position + additional);
        int size = Math.Max(required, (int)Math.Min((long)_buffer.Length * 2, Array.MaxLength));
        byte[] larger = ArrayPool<byte>.Shared.Rent(size);
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

    // UTF-8, except that a lone surrogate is written as its own three-byte sequence rather than as U+FFFD.
    // That keeps the encoding one-to-one on every UTF-16 string, and the byte count equals Encoding.UTF8's.
    // The rest of a string that is not all ASCII or does not fit in the buffer.
    private void WriteBeyondAscii(ReadOnlySpan<char> source)
    {
        // Growing (not streaming), three bytes a char always suffice; when that does not fit, count exactly
        // (a vectorised pass) and grow once.
        if (!IsStreaming && 3L * source.Length > _buffer.Length - _position)
        {
            EnsureCapacity(Encoding.UTF8.GetByteCount(source));
        }

        while (true)
        {
            OperationStatus status = Utf8.FromUtf16(
                source, _buffer[_position..], out int charsRead, out int bytesWritten, replaceInvalidSequences: false);
            _position += bytesWritten;
            source = source[charsRead..];
            switch (status)
            {
                case OperationStatus.Done:
                    return;
                case OperationStatus.DestinationTooSmall:
                    MakeRoom(MaxUtf8SequenceLength);
                    break;
                default:
                    Debug.Assert(status == OperationStatus.InvalidData);
                    char surrogate = source[0];
                    EnsureCapacity(3);
                    _buffer[_position] = (byte)(0xE0 | (surrogate >> 12));
                    _buffer[_position + 1] = (byte)(0x80 | ((surrogate >> 6) & 0x3F));
                    _buffer[_position + 2] = (byte)(0x80 | (surrogate & 0x3F));
                    _position += 3;
                    source = source[1..];
                    break;
            }
        }
    }
}

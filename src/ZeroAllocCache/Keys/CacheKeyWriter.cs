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
/// The writer only encodes: the bytes go to a <see cref="KeyHashSink"/>, which streams them through SHA-256 from a
/// stack buffer (or, where libcrypto's SHA-256 is unavailable, collects them in a pooled buffer), so a key allocates
/// nothing whatever the size of the request.
/// </para>
/// </remarks>
public ref struct CacheKeyWriter
{
    /// <summary>The first byte of every encoding. Bump it when the encoding changes, so old keys retire.</summary>
    internal const byte FormatVersion = 1;

    private const int TagSize = 1;
    private const int LengthSize = sizeof(int);

    // The longest UTF-8 sequence: the room a string needs to make progress.
    private const int MaxUtf8SequenceLength = 4;

    private KeyHashSink _sink;

    // Set by Abandon: the request cannot be keyed faithfully, and no key may be made of what was written.
    private bool _abandoned;

    internal CacheKeyWriter(Span<byte> initialBuffer, KeyHashing hashing)
    {
        // The sink starts in place (see KeyHashSink.Start); the bytes of its state are written before they are read.
        Unsafe.SkipInit(out this);
        _abandoned = false;
        KeyHashSink.Start(ref _sink, initialBuffer, hashing);
        _sink.Reserve(1)[0] = FormatVersion;
    }

    /// <summary>The prefix-table slot the key resumed from, or <see cref="PrefixSlot.None"/>. Read after <see cref="ComputeKey"/>.</summary>
    internal readonly PrefixSlot ResumedFrom => _sink.ResumedFrom;

    /// <summary>Whether <see cref="Abandon"/> was called.</summary>
    internal readonly bool IsAbandoned => _abandoned;

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
        Span<byte> free = _sink.Free;
        if (value.Length <= free.Length)
        {
            int narrowed = AsciiNarrowing.NarrowLeadingAscii(value, free);
            _sink.Advance(narrowed);
            if (narrowed == value.Length)
            {
                return;
            }

            value = value[narrowed..];
        }

        WriteBeyondAscii(value);
    }

    /// <summary>Writes a marker for an absent value: a <see langword="null"/> reference or an empty nullable.</summary>
    public void WriteNull() => _sink.BeginField(TagSize)[0] = (byte)CacheKeyFieldTag.Null;

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
        Span<byte> destination = _sink.BeginField(TagSize + payload);
        destination[0] = (byte)CacheKeyFieldTag.Decimal;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], (ulong)mantissa);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[9..], (uint)(mantissa >> 64));
        destination[13] = scale;
        destination[14] = negative ? (byte)1 : (byte)0;
    }

    /// <summary>Writes a GUID.</summary>
    /// <param name="value">The value.</param>
    public void Write(Guid value)
    {
        Span<byte> destination = _sink.BeginField(TagSize + 16);
        destination[0] = (byte)CacheKeyFieldTag.Guid;
        value.TryWriteBytes(destination[TagSize..]);
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
        _sink.Append(value);
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
        _sink.BeginField(TagSize)[0] = (byte)CacheKeyFieldTag.NestedStart;
        source.WriteTo(ref this);
        _sink.Reserve(TagSize)[0] = (byte)CacheKeyFieldTag.NestedEnd;
    }

    /// <summary>
    /// Marks the request as one that cannot be keyed faithfully (it holds something the writer has no encoding for):
    /// <see cref="CacheKey.TryCreate{TSource}(in TSource, out CacheKey)"/> then returns <see langword="false"/> and
    /// <see cref="CacheKey.Create{TSource}(in TSource)"/> throws. Stop writing after calling it; what was written is
    /// discarded.
    /// </summary>
    public void Abandon() => _abandoned = true;

    /// <summary>
    /// Starts a writer after a prefix found earlier in <paramref name="slot"/>, if the slot still holds it: the prefix's
    /// last partial block is copied into <paramref name="buffer"/>, and the fields that follow are written after it.
    /// </summary>
    /// <returns><see langword="false"/> when the slot has been written since; <paramref name="writer"/> is then unusable.</returns>
    internal static bool TryResume(PrefixSlot slot, Span<byte> buffer, out CacheKeyWriter writer)
    {
        Unsafe.SkipInit(out writer);
        writer._abandoned = false;
        return KeyHashSink.TryResume(slot, buffer, ref writer._sink);
    }

    /// <summary>Hashes the bytes written so far into a key.</summary>
    /// <remarks>
    /// Out of line, with the hashing inlined into it: callers spend their inlining budget on the fields they write,
    /// and inlined there the state copies, the compression call and the key's store were left as calls.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal CacheKey ComputeKey() => ComputeKeyInline();

    /// <summary>
    /// <see cref="ComputeKey"/> inlined into the caller: for callers that write one field and have the budget, such as
    /// a resumed chat key, where the call would cost a few nanoseconds of a hundred.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal CacheKey ComputeKeyInline()
    {
        // Each branch stores its digest straight into the key: one vector merged from both would go through the stack.
        if (_sink.IsStreaming)
        {
            return new CacheKey(_sink.FinishStreamed());
        }

        return new CacheKey(_sink.FinishBuffered());
    }

    /// <summary>Returns the pooled buffer, if one was rented, after clearing what the request wrote into it.</summary>
    internal void Dispose() => _sink.Dispose();

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
        Span<byte> header = _sink.BeginField(TagSize + LengthSize);
        header[0] = (byte)tag;
        BinaryPrimitives.WriteInt32LittleEndian(header[TagSize..], length);
    }

    private void WriteScalar<T>(CacheKeyFieldTag tag, T value)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        Span<byte> field = _sink.BeginField(TagSize + size);
        field[0] = (byte)tag;
        WriteLittleEndian(field.Slice(TagSize, size), value);
    }

    private void WriteRaw<T>(T value)
        where T : unmanaged
    {
        WriteLittleEndian(_sink.Reserve(Unsafe.SizeOf<T>()), value);
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

    // UTF-8, except that a lone surrogate is written as its own three-byte sequence rather than as U+FFFD.
    // That keeps the encoding one-to-one on every UTF-16 string, and the byte count equals Encoding.UTF8's.
    // The rest of a string that is not all ASCII or does not fit in the buffer.
    private void WriteBeyondAscii(ReadOnlySpan<char> source)
    {
        // Growing (not streaming), three bytes a char always suffice; when that does not fit, count exactly
        // (a vectorised pass) and grow once.
        if (!_sink.IsStreaming && 3L * source.Length > _sink.Free.Length)
        {
            _sink.EnsureCapacity(Encoding.UTF8.GetByteCount(source));
        }

        while (true)
        {
            OperationStatus status = Utf8.FromUtf16(
                source, _sink.Free, out int charsRead, out int bytesWritten, replaceInvalidSequences: false);
            _sink.Advance(bytesWritten);
            source = source[charsRead..];
            switch (status)
            {
                case OperationStatus.Done:
                    return;
                case OperationStatus.DestinationTooSmall:
                    _sink.MakeRoom(MaxUtf8SequenceLength);
                    break;
                default:
                    Debug.Assert(status == OperationStatus.InvalidData);
                    char surrogate = source[0];
                    Span<byte> sequence = _sink.Reserve(3);
                    sequence[0] = (byte)(0xE0 | (surrogate >> 12));
                    sequence[1] = (byte)(0x80 | ((surrogate >> 6) & 0x3F));
                    sequence[2] = (byte)(0x80 | (surrogate & 0x3F));
                    source = source[1..];
                    break;
            }
        }
    }
}

namespace ZeroAllocCache.Generators.Model;

/// <summary>How a key parameter is written into the <c>CacheKeyWriter</c>.</summary>
internal enum KeyWriteKind
{
    /// <summary>Not a key parameter.</summary>
    None,

    /// <summary><c>writer.Write(value)</c>: strings and every scalar the writer has an overload for.</summary>
    Value,

    /// <summary><c>writer.Write(value.Span)</c>: <see cref="System.ReadOnlyMemory{T}"/> of <see cref="char"/>.</summary>
    CharMemory,

    /// <summary><c>writer.Write((long)value)</c>: <c>nint</c>.</summary>
    NativeInt,

    /// <summary><c>writer.Write((ulong)value)</c>: <c>nuint</c>.</summary>
    NativeUInt,

    /// <summary><c>writer.WriteEnum&lt;T&gt;(value)</c>.</summary>
    Enum,

    /// <summary><c>writer.WriteSequence(value)</c>: <c>string[]</c> and <c>IReadOnlyList&lt;string&gt;</c>.</summary>
    StringSequence,

    /// <summary><c>writer.Write&lt;T&gt;(in value)</c>: a value type that implements <c>ICacheKeySource</c>.</summary>
    KeySourceValue,

    /// <summary>A null marker or <c>writer.Write&lt;T&gt;(in value)</c>: a reference type that implements <c>ICacheKeySource</c>.</summary>
    KeySourceReference,
}

namespace ZeroAllocCache.Hashing;

/// <summary>How a <see cref="CacheKeyWriter"/> turns its bytes into a digest. Every choice gives the same digest.</summary>
internal enum KeyHashing
{
    /// <summary><see cref="System.Security.Cryptography.SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> over the whole encoding.</summary>
    Managed,

    /// <summary>libcrypto, streaming the encoding through a stack buffer.</summary>
    Native,

    /// <summary>libcrypto, resuming from <see cref="HashPrefixTable"/> after a repeated prefix.</summary>
    NativeWithPrefixTable,
}

/// <summary>The hashing that keys use in this process.</summary>
internal static class KeyHashingDefaults
{
    public static readonly KeyHashing Current =
        NativeSha256.IsAvailable ? KeyHashing.NativeWithPrefixTable : KeyHashing.Managed;
}

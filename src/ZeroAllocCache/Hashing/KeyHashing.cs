namespace ZeroAllocCache.Hashing;

/// <summary>How a <see cref="KeyHashSink"/> turns its bytes into a digest. Every choice gives the same digest.</summary>
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
    /// <summary>Set this AppContext switch to <see langword="true"/> to always use the managed SHA-256.</summary>
    public const string DisableNativeSwitch = "ZeroAllocCache.DisableNativeSha256";

    /// <summary>Chosen once, at first use.</summary>
    public static readonly KeyHashing Current = Select(NativeSha256.IsAvailable);

    /// <summary>libcrypto with the prefix table where it is available and not switched off; otherwise managed.</summary>
    internal static KeyHashing Select(bool nativeAvailable) =>
        nativeAvailable && !(AppContext.TryGetSwitch(DisableNativeSwitch, out bool disabled) && disabled)
            ? KeyHashing.NativeWithPrefixTable
            : KeyHashing.Managed;
}

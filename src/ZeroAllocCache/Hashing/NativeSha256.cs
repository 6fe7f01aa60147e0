using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ZeroAllocCache.Hashing;

/// <summary>
/// SHA-256 through libcrypto's low-level <c>SHA256_Init</c> / <c>SHA256_Update</c> / <c>SHA256_Final</c>, which skip
/// the EVP layer that costs <see cref="System.Security.Cryptography.SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>
/// about 400 ns a call on Linux. Probed once; <see cref="IsAvailable"/> is <see langword="false"/> wherever the library
/// or one of the symbols is missing (Windows, macOS, other Linux builds), and callers then use the managed API.
/// </summary>
/// <remarks>
/// The functions are called through unmanaged function pointers found with <see cref="NativeLibrary"/>: that
/// probes both sonames and all three symbols without claiming the assembly's one DllImport resolver, needs no
/// marshalling, and is Native-AOT compatible. Calls skip the GC transition when they are short (a bounded input),
/// which is most of their cost for small requests.
/// </remarks>
internal static unsafe class NativeSha256
{
    /// <summary>Set this AppContext switch to <see langword="true"/> to always use the managed SHA-256.</summary>
    public const string DisableSwitch = "ZeroAllocCache.DisableNativeSha256";

    // Hashing this many bytes takes a few microseconds: short enough to run without a GC transition.
    private const int ShortInputLimit = 16 * 1024;

    private static readonly string[] LibraryNames = ["libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"];

    private static readonly delegate* unmanaged[SuppressGCTransition]<Sha256Context*, int> s_init;
    private static readonly delegate* unmanaged[SuppressGCTransition]<Sha256Context*, byte*, nuint, int> s_updateShort;
    private static readonly delegate* unmanaged<Sha256Context*, byte*, nuint, int> s_updateLong;
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, Sha256Context*, int> s_final;

#pragma warning disable CA1810 // The probe must run once, in order, before any pointer is read.
    static NativeSha256()
#pragma warning restore CA1810
    {
        if (AppContext.TryGetSwitch(DisableSwitch, out bool disabled) && disabled)
        {
            return;
        }

        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }

        foreach (string name in LibraryNames)
        {
            if (NativeLibrary.TryLoad(name, out IntPtr library)
                && NativeLibrary.TryGetExport(library, "SHA256_Init", out IntPtr init)
                && NativeLibrary.TryGetExport(library, "SHA256_Update", out IntPtr update)
                && NativeLibrary.TryGetExport(library, "SHA256_Final", out IntPtr final))
            {
                s_init = (delegate* unmanaged[SuppressGCTransition]<Sha256Context*, int>)init;
                s_updateShort = (delegate* unmanaged[SuppressGCTransition]<Sha256Context*, byte*, nuint, int>)update;
                s_updateLong = (delegate* unmanaged<Sha256Context*, byte*, nuint, int>)update;
                s_final = (delegate* unmanaged[SuppressGCTransition]<byte*, Sha256Context*, int>)final;
                IsAvailable = SelfTestPasses();
                return;
            }
        }
    }

    /// <summary>Whether the native functions were found and produce correct digests.</summary>
    public static bool IsAvailable { get; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Init(ref Sha256Context context)
    {
        fixed (Sha256Context* pointer = &context)
        {
            s_init(pointer);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update(ref Sha256Context context, ReadOnlySpan<byte> data)
    {
        if (data.Length > ShortInputLimit)
        {
            UpdateLong(ref context, data);
            return;
        }

        fixed (Sha256Context* pointer = &context)
        fixed (byte* bytes = data)
        {
            s_updateShort(pointer, bytes, (nuint)data.Length);
        }
    }

    // Out of line: a call with a GC transition makes its caller set up a P/Invoke frame on every entry, which would
    // tax the short calls that every key makes.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UpdateLong(ref Sha256Context context, ReadOnlySpan<byte> data)
    {
        fixed (Sha256Context* pointer = &context)
        fixed (byte* bytes = data)
        {
            s_updateLong(pointer, bytes, (nuint)data.Length);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Final(ref Sha256Context context, Span<byte> digest)
    {
        fixed (Sha256Context* pointer = &context)
        fixed (byte* output = digest)
        {
            s_final(output, pointer);
        }
    }

    // A library that exports the symbols but computes something else (or lays out its context differently) must
    // never produce keys: check a known digest before trusting it.
    private static bool SelfTestPasses()
    {
        try
        {
            ReadOnlySpan<byte> input = "abc"u8;
            Span<byte> digest = stackalloc byte[32];
            Sha256Context context = default;
            Init(ref context);
            Update(ref context, input);
            Final(ref context, digest);
            return digest.SequenceEqual(System.Security.Cryptography.SHA256.HashData(input));
        }
        catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

using ZeroAllocCache.Benchmarks.Requests;

namespace ZeroAllocCache.Benchmarks.Contenders;

/// <summary>
/// Not a contender: the part of a hit that no work on the key path can remove. With the state after the request's
/// repeated prefix stored, a hit still compresses the blocks that follow it (the prefix's last partial block, the
/// user's message and the padding); this calls libcrypto's <c>SHA256_Update</c> on that many blocks and nothing
/// else: no encoding, no prefix comparison, no lookup. Linux with libcrypto 3 only.
/// </summary>
public sealed partial class LibcryptoBlocksAfterPrefix
{
    private const int BlockSize = 64;

    // OpenSSL's SHA256_CTX: the eight chaining words first, 112 bytes in all; nothing buffered.
    private const int ContextSize = 112;

    private readonly byte[] _blocks;

    /// <summary>Sizes the work for a request.</summary>
    /// <param name="request">The request whose hit this is the floor of.</param>
    public LibcryptoBlocksAfterPrefix(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        BlockCount = BlocksAfterPrefix(request);
        _blocks = new byte[BlockCount * BlockSize];
        new Random(1).NextBytes(_blocks);
    }

    /// <summary>How many 64-byte blocks a hit on the request compresses after the stored prefix state.</summary>
    public int BlockCount { get; }

    /// <summary>Compresses the blocks from the SHA-256 initial state.</summary>
    /// <returns>The first chaining word, so that the work is used.</returns>
    public uint Compress()
    {
        Span<byte> context = stackalloc byte[ContextSize];
        context.Clear();
        Span<uint> words = MemoryMarshal.Cast<byte, uint>(context[..32]);
        words[0] = 0x6A09E667;
        words[1] = 0xBB67AE85;
        words[2] = 0x3C6EF372;
        words[3] = 0xA54FF53A;
        words[4] = 0x510E527F;
        words[5] = 0x9B05688C;
        words[6] = 0x1F83D9AB;
        words[7] = 0x5BE0CD19;
        CompressInto(context);
        return words[0];
    }

    // Out of line, like the library's own call: the JIT clears the vector registers' upper halves at the start of a
    // method that makes a P/Invoke, and the vector clear above would dirty them again before libcrypto's SSE code.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CompressInto(Span<byte> context) => _ = Update(ref context[0], ref _blocks[0], (nuint)_blocks.Length);

    // The key's encoding of ChatRequestKeySource (README, "The key"): a version byte, then the domain, system prompt,
    // model, temperature, token budget and user message, each a tag and its payload, strings with a 4-byte length.
    // The stored state covers the prefix's whole blocks; the rest, with at least 9 bytes of padding, is compressed.
    // A key longer than the writer's 2 KB stack buffer streams through it and stores no prefix: every block counts.
    private static int BlocksAfterPrefix(ChatRequest request)
    {
        const int stackBufferSize = 2048;
        const int tag = 1;
        static int StringField(string value) => tag + sizeof(int) + Encoding.UTF8.GetByteCount(value);

        int prefixLength = 1 + StringField("chat-request/v1") + StringField(request.SystemPrompt)
            + StringField(request.Model) + tag + sizeof(float) + tag + sizeof(int);
        int keyLength = prefixLength + StringField(request.UserMessage);
        int stored = keyLength <= stackBufferSize ? prefixLength / BlockSize * BlockSize : 0;
        int remaining = keyLength - stored;
        return (remaining + 9 + BlockSize - 1) / BlockSize;
    }

    [LibraryImport("libcrypto.so.3", EntryPoint = "SHA256_Update")]
    [SuppressGCTransition]
    private static partial int Update(ref byte context, ref byte data, nuint length);
}

using System.Runtime.InteropServices;

using ZeroAllocCache.Hashing;

namespace ZeroAllocCache.Tests;

/// <summary>
/// The hashing backends — managed <c>SHA256.HashData</c>, libcrypto streaming, and libcrypto resuming after a stored
/// prefix — must give the same digest as <c>SHA256.HashData</c> over the documented encoding, always.
/// </summary>
public class HashingBackendTests
{
    private static readonly KeyHashing[] AllBackends = [KeyHashing.Managed, KeyHashing.Native, KeyHashing.NativeWithPrefixTable];

    [Fact]
    public void The_native_backend_is_used_wherever_libcrypto_loads()
    {
        bool libcryptoLoads = NativeLibrary.TryLoad("libcrypto.so.3", out _) || NativeLibrary.TryLoad("libcrypto.so.1.1", out _);

        Assert.Equal(libcryptoLoads, NativeSha256.IsAvailable);
        Assert.Equal(libcryptoLoads ? KeyHashing.NativeWithPrefixTable : KeyHashing.Managed, KeyHashingDefaults.Current);
    }

    [Fact]
    public void The_app_context_switch_forces_the_managed_backend_even_where_libcrypto_loads()
    {
        Assert.Equal(KeyHashing.NativeWithPrefixTable, KeyHashingDefaults.Select(nativeAvailable: true));
        Assert.Equal(KeyHashing.Managed, KeyHashingDefaults.Select(nativeAvailable: false));

        AppContext.SetSwitch(KeyHashingDefaults.DisableNativeSwitch, true);
        try
        {
            Assert.Equal(KeyHashing.Managed, KeyHashingDefaults.Select(nativeAvailable: true));
        }
        finally
        {
            AppContext.SetSwitch(KeyHashingDefaults.DisableNativeSwitch, false);
        }
    }

    [Fact]
    public void Every_backend_agrees_with_the_reference_encoding_on_thousands_of_random_requests()
    {
        RequireNativeBackend();
        Random random = new(20261127);

        for (int i = 0; i < 3_000; i++)
        {
            RandomRequest request = RandomRequest.Next(random, maxStringLength: i % 100 == 0 ? 20_000 : 300);
            CacheKey expected = request.ReferenceKey();

            foreach (KeyHashing backend in AllBackends)
            {
                Assert.Equal(expected, CacheKey.Create(request, backend));
            }
        }
    }

    [Theory]
    [InlineData(1_000_000)]
    [InlineData(4_000_000)]
    public void Every_backend_agrees_on_multi_megabyte_requests(int length)
    {
        RequireNativeBackend();
        Random random = new(length);
        RandomRequest request = new([RandomRequest.Text(random, length), RandomRequest.Text(random, 10), new byte[length / 2]]);

        CacheKey expected = request.ReferenceKey();

        Assert.All(AllBackends, backend => Assert.Equal(expected, CacheKey.Create(request, backend)));
    }

    [Fact]
    public void Fields_ending_on_every_offset_around_the_block_and_buffer_boundaries_hash_alike()
    {
        RequireNativeBackend();
        int[] around = [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 2038, 2040, 2043, 2047, 2048, 2049, 4096, 4100];

        foreach (int first in around)
        {
            foreach (int second in around)
            {
                RandomRequest request = new([new string('a', first), new string('é', second / 2), "tail"]);
                CacheKey expected = request.ReferenceKey();
                Assert.All(AllBackends, backend => Assert.Equal(expected, CacheKey.Create(request, backend)));
            }
        }
    }

    [Fact]
    public void A_repeated_prefix_is_stored_and_later_keys_resume_from_it_with_the_same_digest()
    {
        RequireNativeBackend();
        string systemPrompt = new('s', 600);
        byte[] prefix = new ReferenceEncoding()
            .String("chat-request/v1").String(systemPrompt).String("gpt-4o").Single(0.2f).Int32(512).ToArray();

        CacheKey first = CacheKey.Create("first question", systemPrompt, "gpt-4o", 0.2f, 512);

        // Admitted on a second sighting in a row; tests running in parallel may interleave, so offer it a few times.
        bool stored = false;
        Sha256State state = default;
        for (int attempt = 0; attempt < 20 && !stored; attempt++)
        {
            CacheKey.Create("another question", systemPrompt, "gpt-4o", 0.2f, 512);
            stored = HashPrefixTable.TryResume(prefix, ref state);
        }

        Assert.True(stored);
        Assert.Equal(ReferenceEncoding.ChatRequestKey("first question", systemPrompt, "gpt-4o", 0.2f, 512), first);
        Assert.Equal(
            ReferenceEncoding.ChatRequestKey("second question", systemPrompt, "gpt-4o", 0.2f, 512),
            CacheKey.Create("second question", systemPrompt, "gpt-4o", 0.2f, 512));
    }

    [Fact]
    public void Prefixes_that_differ_only_in_their_middle_never_share_a_state()
    {
        RequireNativeBackend();
        string a = new string('x', 300) + "A" + new string('y', 300);
        string b = new string('x', 300) + "B" + new string('y', 300);

        for (int round = 0; round < 3; round++)
        {
            Assert.Equal(ReferenceEncoding.ChatRequestKey("q", a, "m", 0f, 1), CacheKey.Create("q", a, "m", 0f, 1));
            Assert.Equal(ReferenceEncoding.ChatRequestKey("q", b, "m", 0f, 1), CacheKey.Create("q", b, "m", 0f, 1));
        }
    }

    [Fact]
    public void More_distinct_prefixes_than_the_table_holds_still_give_correct_digests()
    {
        RequireNativeBackend();
        string[] prompts = [.. Enumerable.Range(0, 100).Select(i => $"You are assistant number {i}. " + new string('p', 100))];

        for (int round = 0; round < 3; round++)
        {
            foreach (string prompt in prompts)
            {
                Assert.Equal(ReferenceEncoding.ChatRequestKey("q", prompt, "m", 0f, 1), CacheKey.Create("q", prompt, "m", 0f, 1));
            }
        }
    }

    [Fact]
    public void Many_threads_with_a_handful_of_prefixes_always_get_correct_digests()
    {
        RequireNativeBackend();
        string[] prompts = [.. Enumerable.Range(0, 6).Select(i => $"system prompt {i} " + new string((char)('a' + i), 200 + (i * 37)))];
        string[] questions = [.. Enumerable.Range(0, 50).Select(i => $"question {i}?")];
        CacheKey[,] expected = new CacheKey[prompts.Length, questions.Length];
        for (int p = 0; p < prompts.Length; p++)
        {
            for (int q = 0; q < questions.Length; q++)
            {
                expected[p, q] = ReferenceEncoding.ChatRequestKey(questions[q], prompts[p], "gpt-4o", 0.7f, 256);
            }
        }

        HashPrefixTable.Clear();
        long wrong = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, seed =>
        {
            Random random = new(seed);
            for (int i = 0; i < 20_000; i++)
            {
                int p = random.Next(prompts.Length);
                int q = random.Next(questions.Length);
                if (CacheKey.Create(questions[q], prompts[p], "gpt-4o", 0.7f, 256) != expected[p, q])
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Keys_resumed_from_the_prefix_table_allocate_nothing_after_warm_up()
    {
        string[] prompts = [.. Enumerable.Range(0, 4).Select(i => new string((char)('a' + i), 600))];
        string question = new('u', 430);
        for (int i = 0; i < 100; i++)
        {
            CacheKey.Create(question, prompts[i % prompts.Length], "gpt-4o", 0.2f, 512);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            CacheKey.Create(question, prompts[i % prompts.Length], "gpt-4o", 0.2f, 512);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Replacing_prefix_table_entries_with_longer_prefixes_allocates_nothing_after_warm_up()
    {
        // Each prompt is seen twice in a row, so it is admitted and replaces an entry; lengths grow up to the buffer.
        string[] prompts = [.. Enumerable.Range(0, 64).Select(i => $"assistant {i}: " + new string('x', 100 + (i * 28)))];
        void Round()
        {
            foreach (string prompt in prompts)
            {
                CacheKey.Create("first", prompt, "m", 0f, 1);
                CacheKey.Create("second", prompt, "m", 0f, 1);
            }
        }

        Round();
        Round();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Round();

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void RequireNativeBackend() =>
        Assert.True(NativeSha256.IsAvailable, "These tests compare the native backend with the managed one; libcrypto must load here.");

    /// <summary>A request of random fields: strings (with lone surrogates), nulls, numbers, bytes and sequences.</summary>
    private readonly struct RandomRequest(object?[] fields) : ICacheKeySource
    {
        public static RandomRequest Next(Random random, int maxStringLength)
        {
            object?[] fields = new object?[random.Next(0, 8)];
            for (int i = 0; i < fields.Length; i++)
            {
                fields[i] = random.Next(6) switch
                {
                    0 => null,
                    1 => random.Next(),
                    2 => (float)random.NextDouble(),
                    3 => RandomBytes(random, random.Next(0, 200)),
                    4 => Enumerable.Range(0, random.Next(0, 4)).Select(_ => Text(random, random.Next(0, 40))).ToArray(),
                    _ => Text(random, random.Next(0, maxStringLength)),
                };
            }

            return new RandomRequest(fields);
        }

        public static string Text(Random random, int length)
        {
            char[] chars = new char[length];
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = random.Next(20) switch
                {
                    0 => (char)random.Next(0xD800, 0xE000),
                    1 => (char)random.Next(0x80, 0x800),
                    2 => (char)random.Next(0x800, 0xD800),
                    _ => (char)random.Next(0, 0x80),
                };
            }

            return new string(chars);
        }

        public void WriteTo(ref CacheKeyWriter writer)
        {
            foreach (object? field in fields)
            {
                switch (field)
                {
                    case null: writer.WriteNull(); break;
                    case int number: writer.Write(number); break;
                    case float number: writer.Write(number); break;
                    case byte[] bytes: writer.WriteBytes(bytes); break;
                    case string[] strings: writer.WriteSequence(strings); break;
                    case string text: writer.Write(text); break;
                }
            }
        }

        public CacheKey ReferenceKey()
        {
            ReferenceEncoding encoding = new();
            foreach (object? field in fields)
            {
                switch (field)
                {
                    case null: encoding.Null(); break;
                    case int number: encoding.Int32(number); break;
                    case float number: encoding.Single(number); break;
                    case byte[] bytes: encoding.Bytes(bytes); break;
                    case string[] strings:
                        encoding.Sequence(strings.Length);
                        foreach (string text in strings)
                        {
                            encoding.String(text);
                        }

                        break;
                    case string text: encoding.String(text); break;
                }
            }

            return encoding.Key();
        }

        private static byte[] RandomBytes(Random random, int length)
        {
            byte[] bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }
    }
}

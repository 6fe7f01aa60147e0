using ZeroAllocCache.Hashing;

namespace ZeroAllocCache.Tests;

/// <summary>
/// A chat request that passes the same system prompt and model instances as one its thread hashed before resumes from
/// the prefix table by their identity, skipping their encoding. Its key must be exactly the key by content, always:
/// after the slot is rewritten, with other instances of equal strings, with other scalars, across threads.
/// </summary>
public class RecentChatPrefixesTests
{
    private const string Model = "gpt-4o";
    private const float Temperature = 0.2f;
    private const int MaxTokens = 512;

    [Fact]
    public void A_prefix_found_by_content_is_remembered_by_identity_and_resumes_with_the_same_digest()
    {
        RequireNativeBackend();
        string systemPrompt = NewPrompt('a');

        PrefixSlot remembered = Remember(systemPrompt, Model, Temperature, MaxTokens);

        Assert.True(remembered.Index >= 0);
        Assert.Equal(ExpectedKey("next question", systemPrompt), CacheKey.Create("next question", systemPrompt, Model, Temperature, MaxTokens));
    }

    [Fact]
    public void A_remembered_slot_that_was_rewritten_is_not_resumed_and_the_key_stays_correct()
    {
        RequireNativeBackend();
        string systemPrompt = NewPrompt('b');
        PrefixSlot remembered = Remember(systemPrompt, Model, Temperature, MaxTokens);

        HashPrefixTable.Clear();

        Sha256State state = default;
        Assert.Equal(-1, HashPrefixTable.TryResume(remembered, ref state, new byte[Sha256Padding.BlockSize], out _));
        Assert.Equal(ExpectedKey("after the rewrite", systemPrompt), CacheKey.Create("after the rewrite", systemPrompt, Model, Temperature, MaxTokens));
    }

    [Fact]
    public void Equal_strings_that_are_other_instances_give_the_key_of_the_remembered_instances()
    {
        RequireNativeBackend();
        string systemPrompt = NewPrompt('c');
        Remember(systemPrompt, Model, Temperature, MaxTokens);
        string samePromptAnotherInstance = new(systemPrompt.AsSpan());
        string sameModelAnotherInstance = new(Model.AsSpan());

        CacheKey byIdentity = CacheKey.Create("question", systemPrompt, Model, Temperature, MaxTokens);
        CacheKey byContent = CacheKey.Create("question", samePromptAnotherInstance, sameModelAnotherInstance, Temperature, MaxTokens);

        Assert.Equal(ExpectedKey("question", systemPrompt), byIdentity);
        Assert.Equal(byIdentity, byContent);
    }

    [Fact]
    public void The_remembered_instances_with_another_temperature_token_budget_or_model_are_not_taken_for_the_remembered_prefix()
    {
        RequireNativeBackend();
        string systemPrompt = NewPrompt('d');
        Remember(systemPrompt, Model, Temperature, MaxTokens);

        Assert.Equal(
            ReferenceEncoding.ChatRequestKey("q", systemPrompt, Model, 0.3f, MaxTokens),
            CacheKey.Create("q", systemPrompt, Model, 0.3f, MaxTokens));
        // A budget that lands on the remembered entry's own place in the thread's table.
        const int otherBudget = MaxTokens + RecentChatPrefixes.Capacity;
        Assert.Equal(RecentChatPrefixes.Find(systemPrompt, Model, Bits(Temperature), otherBudget), PrefixSlot.None);
        Assert.Equal(
            ReferenceEncoding.ChatRequestKey("q", systemPrompt, Model, Temperature, otherBudget),
            CacheKey.Create("q", systemPrompt, Model, Temperature, otherBudget));
        Assert.Equal(
            ReferenceEncoding.ChatRequestKey("q", systemPrompt, "gpt-4x", Temperature, MaxTokens),
            CacheKey.Create("q", systemPrompt, "gpt-4x", Temperature, MaxTokens));
    }

    [Fact]
    public void Negative_zero_and_every_nan_temperature_resume_as_their_canonical_value()
    {
        RequireNativeBackend();
        string systemPrompt = NewPrompt('e');
        float otherNan = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001));
        Remember(systemPrompt, Model, 0f, MaxTokens);
        Remember(systemPrompt, Model, float.NaN, MaxTokens);

        Assert.Equal(ReferenceEncoding.ChatRequestKey("q", systemPrompt, Model, 0f, MaxTokens), CacheKey.Create("q", systemPrompt, Model, -0f, MaxTokens));
        Assert.Equal(ReferenceEncoding.ChatRequestKey("q", systemPrompt, Model, float.NaN, MaxTokens), CacheKey.Create("q", systemPrompt, Model, otherNan, MaxTokens));
    }

    [Theory]
    [InlineData("")]
    [InlineData("déjà vu, naïve café")]
    [InlineData("lone \uD800 surrogate and a pair \uD83D\uDE00")]
    public void Resumed_keys_of_non_ascii_and_empty_user_messages_match_the_reference_encoding(string userMessage)
    {
        RequireNativeBackend();
        string systemPrompt = NewPrompt('f');
        Remember(systemPrompt, Model, Temperature, MaxTokens);

        Assert.Equal(ExpectedKey(userMessage, systemPrompt), CacheKey.Create(userMessage, systemPrompt, Model, Temperature, MaxTokens));
    }

    [Theory]
    [InlineData(1_900)]
    [InlineData(2_048)]
    [InlineData(100_000)]
    public void Resumed_keys_of_user_messages_longer_than_the_stack_buffer_stream_to_the_same_digest(int length)
    {
        RequireNativeBackend();
        string systemPrompt = NewPrompt('g');
        Remember(systemPrompt, Model, Temperature, MaxTokens);
        string ascii = new('u', length);
        string mixed = string.Concat(Enumerable.Repeat("é€u", length / 3));

        Assert.Equal(ExpectedKey(ascii, systemPrompt), CacheKey.Create(ascii, systemPrompt, Model, Temperature, MaxTokens));
        Assert.Equal(ExpectedKey(mixed, systemPrompt), CacheKey.Create(mixed, systemPrompt, Model, Temperature, MaxTokens));
    }

    [Theory]
    // The prefix is 47 bytes and the prompt's: version, domain, the prompt's tag and length, model, temperature, budget.
    [InlineData(3)] // shorter than a block: nothing to store or remember
    [InlineData(17)] // exactly one block: nothing of it left to copy
    [InlineData(81)] // exactly two blocks
    [InlineData(1_990)] // the request fills the stack buffer to its last byte
    [InlineData(2_001)] // the request outgrows the stack buffer and streams: no prefix is kept
    public void Prefixes_of_any_length_give_the_reference_key_on_every_call(int promptLength)
    {
        RequireNativeBackend();
        string systemPrompt = new('h', promptLength);

        for (int call = 0; call < 5; call++)
        {
            Assert.Equal(ExpectedKey($"call {call}", systemPrompt), CacheKey.Create($"call {call}", systemPrompt, Model, Temperature, MaxTokens));
        }
    }

    [Fact]
    public void Threads_churning_more_prefixes_than_the_table_holds_never_resume_from_a_replaced_slot()
    {
        RequireNativeBackend();
        string[] prompts = [.. Enumerable.Range(0, 48).Select(i => $"assistant {i}: " + new string((char)('a' + (i % 26)), 80 + (i * 13)))];
        string[] questions = [.. Enumerable.Range(0, 8).Select(i => $"question {i}?")];
        CacheKey[,] expected = new CacheKey[prompts.Length, questions.Length];
        for (int p = 0; p < prompts.Length; p++)
        {
            for (int q = 0; q < questions.Length; q++)
            {
                expected[p, q] = ExpectedKey(questions[q], prompts[p]);
            }
        }

        long wrong = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, seed =>
        {
            Random random = new(seed);
            for (int i = 0; i < 20_000; i++)
            {
                // Runs of one prompt get it admitted and remembered; switching evicts other prompts' slots.
                int p = (i / 3 * 7 + seed) % prompts.Length;
                int q = random.Next(questions.Length);
                if (CacheKey.Create(questions[q], prompts[p], Model, Temperature, MaxTokens) != expected[p, q])
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });

        Assert.Equal(0, wrong);
    }

    // Hashes requests with this prefix until this thread remembers it: admission takes a second sighting in a row,
    // and tests running in parallel may interleave with other prefixes or clear the table.
    private static PrefixSlot Remember(string systemPrompt, string model, float temperature, int maxTokens)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            _ = CacheKey.Create("warm-up", systemPrompt, model, temperature, maxTokens);
            PrefixSlot slot = RecentChatPrefixes.Find(systemPrompt, model, Bits(temperature), maxTokens);
            if (slot != PrefixSlot.None)
            {
                return slot;
            }
        }

        Assert.Fail("The prefix was never remembered.");
        return PrefixSlot.None;
    }

    private static CacheKey ExpectedKey(string userMessage, string systemPrompt) =>
        ReferenceEncoding.ChatRequestKey(userMessage, systemPrompt, Model, Temperature, MaxTokens);

    private static string NewPrompt(char fill) => $"You are the {fill} assistant. " + new string(fill, 120);

    private static int Bits(float temperature) => CacheKeyWriter.EncodedBits(temperature);

    private static void RequireNativeBackend() =>
        Assert.True(NativeSha256.IsAvailable, "The identity path exists only with the native backend; libcrypto must load here.");
}

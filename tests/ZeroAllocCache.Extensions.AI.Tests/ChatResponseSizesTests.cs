namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>The size estimate of a cached <see cref="ChatResponse"/>, for byte budgets.</summary>
public class ChatResponseSizesTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(2_000)]
    [InlineData(50_000)]
    public void The_estimate_is_within_a_factor_of_two_of_what_building_the_response_allocates(int length)
    {
        ChatResponse? response = null;
        long before = GC.GetAllocatedBytesForCurrentThread();
        response = Build(length);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long estimate = ChatResponseSizes.Of(response);

        Assert.InRange(estimate, allocated / 2, allocated * 2);
    }

    [Fact]
    public void A_longer_answer_is_a_larger_estimate_by_two_bytes_a_character()
    {
        long shorter = ChatResponseSizes.Of(Build(1_000));
        long longer = ChatResponseSizes.Of(Build(2_000));

        Assert.Equal(2 * 2 * 1_000, longer - shorter); // two messages of 1,000 more characters each
    }

    [Fact]
    public void A_cache_of_chat_responses_with_a_byte_budget_needs_no_SizeOf_once_the_middleware_is_loaded()
    {
        using ExactMatchCachingChatClient client = new(new FakeChatClient(), new ExactMatchCache<ChatResponse>());
        using ExactMatchCache<ChatResponse> budgeted = new(new ExactMatchCacheOptions<ChatResponse> { MaxBytes = 20_000 });
        CacheKey[] keys = [.. Enumerable.Range(0, 10).Select(i => CacheKey.Create("q" + i, "s", "m", 0f, 1))];

        foreach (CacheKey key in keys)
        {
            budgeted.Put(key, Build(2_000));
        }

        Assert.True(budgeted.Stats.StoredBytes <= 20_000);
        Assert.InRange(budgeted.Count, 1, 3);
        Assert.Equal(0, ChatResponseSizes.Of(null));
    }

    private static ChatResponse Build(int length) => new([
        new ChatMessage(ChatRole.Assistant, new string('a', length)) { MessageId = "message-1" },
        new ChatMessage(ChatRole.Assistant, [new TextContent(new string('b', length)), new FunctionCallContent("call-1", "lookup", new Dictionary<string, object?> { ["city"] = "Paris" })]),
    ])
    {
        ResponseId = "response-1",
        ModelId = "gpt-4o-mini",
        Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 200 },
    };
}

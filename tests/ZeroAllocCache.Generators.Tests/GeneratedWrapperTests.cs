using ZeroAllocCache.Generators.Tests.Wrappers;

namespace ZeroAllocCache.Generators.Tests;

/// <summary>Wrappers generated into this project by the real build, called for real.</summary>
public class GeneratedWrapperTests
{
    [Fact]
    public async Task A_second_identical_call_is_served_from_the_cache()
    {
        var bot = new SupportBot();

        string first = await bot.AskAsync("How do I reset my password?", "You are helpful.", "gpt-4o", 0.2f, 256);
        string second = await bot.AskAsync("How do I reset my password?", "You are helpful.", "gpt-4o", 0.2f, 256);

        Assert.Equal(1, bot.Calls);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Each_of_the_five_classic_parameters_changes_the_key()
    {
        var bot = new SupportBot();
        await bot.AskAsync("question", "system", "model", 0.5f, 100);

        await bot.AskAsync("other question", "system", "model", 0.5f, 100);
        await bot.AskAsync("question", "other system", "model", 0.5f, 100);
        await bot.AskAsync("question", "system", "other model", 0.5f, 100);
        await bot.AskAsync("question", "system", "model", 0.6f, 100);
        await bot.AskAsync("question", "system", "model", 0.5f, 101);

        Assert.Equal(6, bot.Calls);
    }

    [Fact]
    public async Task A_hit_completes_synchronously()
    {
        var bot = new SupportBot();
        await bot.AskAsync("question", "system", "model", 0.5f, 100);

        bool completed = CompletedSynchronously(bot.AskAsync("question", "system", "model", 0.5f, 100));

        Assert.True(completed);
    }

    [Fact]
    public async Task The_invalidation_helper_removes_the_entry_for_its_arguments_only()
    {
        var bot = new SupportBot();
        await bot.AskAsync("question", "system", "model", 0.5f, 100);
        await bot.AskAsync("other question", "system", "model", 0.5f, 100);

        Assert.True(bot.InvalidateAskAsync("question", "system", "model", 0.5f, 100));
        Assert.False(bot.InvalidateAskAsync("question", "system", "model", 0.5f, 100));

        await bot.AskAsync("question", "system", "model", 0.5f, 100);
        await bot.AskAsync("other question", "system", "model", 0.5f, 100);
        Assert.Equal(3, bot.Calls);
    }

    [Fact]
    public async Task Cancellation_token_and_NotCacheKey_arguments_do_not_change_the_key()
    {
        var bot = new ExcludedParametersBot();
        using var source = new CancellationTokenSource();

        string first = await bot.AskAsync("prompt", requestId: "request-1");
        string second = await bot.AskAsync("prompt", requestId: "request-2", source.Token);

        Assert.Equal(1, bot.Calls);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_NotCacheKey_argument_still_reaches_the_implementation_on_a_miss()
    {
        var bot = new ExcludedParametersBot();

        await bot.AskAsync("prompt", requestId: "request-1");

        Assert.Equal("request-1", bot.LastRequestId);
    }

    [Fact]
    public async Task Two_methods_with_the_same_arguments_on_one_cache_do_not_collide()
    {
        var bot = new SharedCacheBot();

        string summary = await bot.SummarizeAsync("the text");
        string translation = await bot.TranslateAsync("the text");

        Assert.Equal("summary of the text", summary);
        Assert.Equal("translation of the text", translation);
        Assert.Equal(1, bot.SummarizeCalls);
        Assert.Equal(1, bot.TranslateCalls);
        Assert.Equal("summary of the text", await bot.SummarizeAsync("the text"));
        Assert.Equal(1, bot.SummarizeCalls);
    }

    [Fact]
    public async Task A_Task_method_found_by_convention_is_cached()
    {
        var bot = new TaskBot();

        string first = await bot.AskAsync("prompt", CancellationToken.None);
        string second = await bot.AskAsync("prompt", CancellationToken.None);

        Assert.Equal("answer to prompt", first);
        Assert.Equal(first, second);
        Assert.Equal(1, bot.Calls);
    }

    [Fact]
    public void A_synchronous_method_looks_up_else_computes_and_stores()
    {
        var bot = new SyncBot();

        int first = bot.Classify("abc", attempt: 1);
        int second = bot.Classify("abc", attempt: 2);
        int other = bot.Classify("abcd", attempt: 3);

        Assert.Equal(31, first);
        Assert.Equal(31, second);
        Assert.Equal(43, other);
        Assert.Equal(2, bot.Calls);
        Assert.True(bot.InvalidateClassify("abc"));
        Assert.Equal(34, bot.Classify("abc", attempt: 4));
    }

    [Fact]
    public async Task A_static_method_uses_its_static_cache()
    {
        string text = "static-" + Guid.NewGuid();
        int before = StaticBot.Calls;

        Assert.Equal(text + "!", await StaticBot.EchoAsync(text));
        Assert.Equal(text + "!", await StaticBot.EchoAsync(text));

        Assert.Equal(before + 1, StaticBot.Calls);
        Assert.True(StaticBot.InvalidateEchoAsync(text));
    }

    [Fact]
    public async Task A_method_of_a_generic_nested_type_is_cached()
    {
        var bot = new Outer.Bot<int>(prompt => prompt.Length);

        int first = await bot.AskAsync("hello", Tone.Friendly);
        int second = await bot.AskAsync("hello", Tone.Friendly);
        int other = await bot.AskAsync("hello", Tone.Neutral);

        Assert.Equal("hello/Friendly".Length, first);
        Assert.Equal(first, second);
        Assert.Equal("hello/Neutral".Length, other);
        Assert.Equal(2, bot.Calls);
    }

    private static bool CompletedSynchronously(ValueTask<string> call)
    {
        bool completed = call.IsCompletedSuccessfully;
        _ = call.AsTask();
        return completed;
    }
}

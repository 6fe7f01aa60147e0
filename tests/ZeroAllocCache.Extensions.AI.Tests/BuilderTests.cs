using Microsoft.Extensions.DependencyInjection;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary><c>ChatClientBuilder.UseExactMatchCache</c>, construction and argument checks.</summary>
public class BuilderTests
{
    [Fact]
    public void UseExactMatchCache_adds_the_middleware_over_the_given_cache_and_configures_it()
    {
        ExactMatchCache<ChatResponse> cache = new();
        ExactMatchCachingChatClient? configured = null;

        IChatClient client = new ChatClientBuilder(new FakeChatClient()).UseExactMatchCache(cache, c => configured = c).Build();

        ExactMatchCachingChatClient middleware = Assert.IsType<ExactMatchCachingChatClient>(client);
        Assert.Same(middleware, configured);
        Assert.Same(cache, middleware.Cache);
    }

    [Fact]
    public async Task UseExactMatchCache_without_a_cache_resolves_it_from_the_service_provider()
    {
        ExactMatchCache<ChatResponse> cache = new();
        using ServiceProvider services = new ServiceCollection().AddSingleton(cache).BuildServiceProvider();
        FakeChatClient model = new();

        IChatClient client = new ChatClientBuilder(model).UseExactMatchCache().Build(services);
        Request request = Request.Typical();
        await client.GetResponseAsync(request.Messages, request.Options);

        Assert.Same(cache, client.GetService<ExactMatchCache<ChatResponse>>());
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void UseExactMatchCache_without_a_cache_or_a_registered_one_fails_at_build_time_saying_what_to_register()
    {
        using ServiceProvider services = new ServiceCollection().BuildServiceProvider();
        ChatClientBuilder builder = new ChatClientBuilder(new FakeChatClient()).UseExactMatchCache();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => builder.Build(services));

        Assert.Contains("services.AddExactMatchCache<ChatResponse>()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseExactMatchCache_without_a_cache_uses_the_one_AddExactMatchCache_registered()
    {
        ServiceCollection collection = new();
        collection.AddExactMatchCache<ChatResponse>(o => o.MaxSize = 100);
        collection.AddChatClient(new FakeChatClient()).UseExactMatchCache();
        using ServiceProvider services = collection.BuildServiceProvider();

        IChatClient client = services.GetRequiredService<IChatClient>();
        Request request = Request.Typical();
        await client.GetResponseAsync(request.Messages, request.Options);
        await client.GetResponseAsync(request.Messages, request.Options);

        ExactMatchCache<ChatResponse> cache = services.GetRequiredService<ExactMatchCache<ChatResponse>>();
        Assert.Same(cache, client.GetService<ExactMatchCache<ChatResponse>>());
        Assert.Equal(100, cache.MaxSize);
        Assert.Equal(1, cache.Stats.Hits);
    }

    [Fact]
    public void Each_build_resolves_the_cache_of_its_own_service_provider()
    {
        ExactMatchCache<ChatResponse> first = new();
        ExactMatchCache<ChatResponse> second = new();
        using ServiceProvider one = new ServiceCollection().AddSingleton(first).BuildServiceProvider();
        using ServiceProvider two = new ServiceCollection().AddSingleton(second).BuildServiceProvider();
        ChatClientBuilder builder = new ChatClientBuilder(new FakeChatClient()).UseExactMatchCache();

        Assert.Same(first, builder.Build(one).GetService<ExactMatchCache<ChatResponse>>());
        Assert.Same(second, builder.Build(two).GetService<ExactMatchCache<ChatResponse>>());
    }

    [Fact]
    public void The_middleware_answers_GetService_for_its_cache_its_savings_and_itself()
    {
        ExactMatchCache<ChatResponse> cache = new();
        using ExactMatchCachingChatClient client = new(new FakeChatClient(), cache);

        Assert.Same(cache, client.GetService<ExactMatchCache<ChatResponse>>());
        Assert.Same(client.Savings, client.GetService<ModelCallSavings>());
        Assert.Same(client, client.GetService<ExactMatchCachingChatClient>());
        Assert.IsType<FakeChatClient>(client.GetService<FakeChatClient>());
        Assert.Null(client.GetService<ExactMatchCache<ChatResponse>>(serviceKey: "keyed"));
    }

    [Fact]
    public async Task Null_arguments_are_rejected_by_name()
    {
        using ExactMatchCachingChatClient client = new(new FakeChatClient(), new ExactMatchCache<ChatResponse>());

        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((ChatClientBuilder)null!).UseExactMatchCache()).ParamName);
        Assert.Equal("innerClient", Assert.Throws<ArgumentNullException>(() => new ExactMatchCachingChatClient(null!, new ExactMatchCache<ChatResponse>())).ParamName);
        Assert.Equal("cache", Assert.Throws<ArgumentNullException>(() => new ExactMatchCachingChatClient(new FakeChatClient(), null!)).ParamName);
        Assert.Equal("messages", (await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetResponseAsync((IEnumerable<ChatMessage>)null!))).ParamName);
        Assert.Equal("messages", Assert.Throws<ArgumentNullException>(() => client.GetStreamingResponseAsync((IEnumerable<ChatMessage>)null!)).ParamName);
        Assert.Equal("messages", Assert.Throws<ArgumentNullException>(() => ExactMatchCachingChatClient.TryCreateCacheKey(null!, null, false, out _)).ParamName);
        Assert.Equal("serviceType", Assert.Throws<ArgumentNullException>(() => client.GetService(null!)).ParamName);
    }
}

using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>The middleware over a cache with a Redis second level: chat responses travel between replicas with no setup.</summary>
public sealed class TwoLevelChatCacheTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_response_from_one_replica_answers_the_same_request_on_another_without_a_serializer_in_the_options()
    {
        string prefix = "chat-" + Guid.NewGuid().ToString("N") + ":";
        using RedisCache firstStore = new(Options.Create(new RedisCacheOptions { Configuration = redis.Configuration }));
        using RedisCache secondStore = new(Options.Create(new RedisCacheOptions { Configuration = redis.Configuration }));
        await using ExactMatchCache<ChatResponse> first = new(new ExactMatchCacheOptions<ChatResponse> { DistributedCache = firstStore, DistributedKeyPrefix = prefix, DistributedTimeout = TimeSpan.FromSeconds(2) });
        await using ExactMatchCache<ChatResponse> second = new(new ExactMatchCacheOptions<ChatResponse> { DistributedCache = secondStore, DistributedKeyPrefix = prefix, DistributedTimeout = TimeSpan.FromSeconds(2) });
        FakeChatClient model = new();
        using IChatClient one = new ChatClientBuilder(model).UseExactMatchCache(first).Build();
        using IChatClient two = new ChatClientBuilder(model).UseExactMatchCache(second).Build();
        Request request = Request.Typical();

        ChatResponse original = await one.GetResponseAsync(request.Messages, request.Options);
        await first.DisposeAsync();
        ChatResponse replayed = await two.GetResponseAsync(request.Messages, request.Options);

        Assert.Equal(1, model.Calls);
        Assert.Equal(original.Text, replayed.Text);
        Assert.Equal(original.ResponseId, replayed.ResponseId);
        Assert.Equal(original.Usage?.OutputTokenCount, replayed.Usage?.OutputTokenCount);
        Assert.Equal(1, second.Stats.DistributedHits);
    }

    [Fact]
    public async Task Through_dependency_injection_the_registered_Redis_cache_is_the_second_level_of_the_chat_cache()
    {
        ServiceCollection services = new();
        services.AddStackExchangeRedisCache(o => o.Configuration = redis.Configuration);
        services.AddExactMatchCache<ChatResponse>(o =>
        {
            o.DistributedKeyPrefix = "chat-di-" + Guid.NewGuid().ToString("N") + ":";
            o.DistributedTimeout = TimeSpan.FromSeconds(2); // a first call also connects, on a loaded CI machine
        });
        services.AddChatClient(new FakeChatClient()).UseExactMatchCache();
        await using ServiceProvider provider = services.BuildServiceProvider();

        ExactMatchCache<ChatResponse> cache = provider.GetRequiredService<ExactMatchCache<ChatResponse>>();
        IChatClient client = provider.GetRequiredService<IChatClient>();
        Request request = Request.Typical();
        await client.GetResponseAsync(request.Messages, request.Options);

        Assert.NotNull(cache.DistributedCache);
        Assert.True(ExactMatchCachingChatClient.TryCreateCacheKey(request.Messages, request.Options, streaming: false, out CacheKey key));
        cache.Clear();
        Assert.True((await cache.TryGetAsync(key)).Found);
    }

    [Fact]
    public void The_chat_response_serializer_round_trips_text_usage_and_finish_reason()
    {
        ChatResponse response = FakeChatClient.Answer(3);
        PooledWriter buffer = new();

        ChatResponseCacheSerializer.Instance.Serialize(response, buffer);
        ChatResponse back = ChatResponseCacheSerializer.Instance.Deserialize(new System.Buffers.ReadOnlySequence<byte>(buffer.Written));

        Assert.Equal(response.Text, back.Text);
        Assert.Equal(response.FinishReason, back.FinishReason);
        Assert.Equal(response.Usage?.InputTokenCount, back.Usage?.InputTokenCount);
        Assert.True(CacheSerializers.TryGet(out Microsoft.Extensions.Caching.Hybrid.IHybridCacheSerializer<ChatResponse>? registered));
        Assert.Same(ChatResponseCacheSerializer.Instance, registered);
    }

    private sealed class PooledWriter : System.Buffers.IBufferWriter<byte>
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _inner = new();

        public ReadOnlyMemory<byte> Written => _inner.WrittenMemory;

        public void Advance(int count) => _inner.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => _inner.GetSpan(sizeHint);
    }
}

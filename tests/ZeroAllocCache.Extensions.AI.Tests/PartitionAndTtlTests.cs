using System.Text.Json;

using Microsoft.Extensions.Time.Testing;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>Tenants and TTLs per request: <c>PartitionPropertyName</c>, <c>PartitionSelector</c> and <c>TtlPropertyName</c>.</summary>
public class PartitionAndTtlTests
{
    private const string Partition = ExactMatchCachingChatClient.PartitionPropertyName;
    private const string Ttl = ExactMatchCachingChatClient.TtlPropertyName;

    private static Request In(string tenant) => Request.Typical(r => r.EnsureOptions().AdditionalProperties = new() { [Partition] = tenant });

    [Fact]
    public async Task One_tenants_answer_never_serves_another_tenants_identical_request()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);

        ChatResponse a = await client.GetResponseAsync(In("tenant-a").Messages, In("tenant-a").Options);
        ChatResponse b = await client.GetResponseAsync(In("tenant-b").Messages, In("tenant-b").Options);
        ChatResponse aAgain = await client.GetResponseAsync(In("tenant-a").Messages, In("tenant-a").Options);
        ChatResponse own = await client.GetResponseAsync(Request.Typical().Messages, Request.Typical().Options);

        Assert.Equal(("answer 1", "answer 2", "answer 1", "answer 3"), (a.Text, b.Text, aAgain.Text, own.Text));
        Assert.Equal(3, model.Calls);
        Assert.Equal(1, cache.Partition("tenant-a").Count);
        Assert.Equal(1, cache.Partition("tenant-b").Count);
    }

    [Fact]
    public async Task Streaming_requests_are_partitioned_too()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());

        ChatResponse a = await client.GetStreamingResponseAsync(In("a").Messages, In("a").Options).ToChatResponseAsync();
        ChatResponse b = await client.GetStreamingResponseAsync(In("b").Messages, In("b").Options).ToChatResponseAsync();
        ChatResponse aAgain = await client.GetStreamingResponseAsync(In("a").Messages, In("a").Options).ToChatResponseAsync();

        Assert.Equal(2, model.Calls);
        Assert.Equal(a.Text, aAgain.Text);
        Assert.NotEqual(a.Text, b.Text);
    }

    [Fact]
    public async Task The_partition_and_ttl_directives_never_reach_the_model_and_are_not_part_of_the_key()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request request = Request.Typical(r => r.EnsureOptions().AdditionalProperties = new()
        {
            ["service_tier"] = "flex",
            [Partition] = "tenant",
            [Ttl] = TimeSpan.FromMinutes(5),
        });

        await client.GetResponseAsync(request.Messages, request.Options);

        Assert.Equal(["service_tier"], Assert.Single(model.ReceivedOptions)!.AdditionalProperties!.Keys);
        Assert.Equal(3, request.Options!.AdditionalProperties!.Count);
        Request withoutDirectives = Request.Typical(r => r.EnsureOptions().AdditionalProperties = new() { ["service_tier"] = "flex" });
        Assert.Equal(withoutDirectives.Key(), request.Key());
    }

    [Fact]
    public async Task The_selector_chooses_the_partition_from_the_apps_own_context()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        AsyncLocal<string?> tenant = new();
        using ExactMatchCachingChatClient client = new(model, cache) { PartitionSelector = (_, _) => tenant.Value };
        Request request = Request.Typical();

        tenant.Value = "acme";
        await client.GetResponseAsync(request.Messages, request.Options);
        await client.GetResponseAsync(request.Messages, request.Options);
        tenant.Value = "globex";
        await client.GetResponseAsync(request.Messages, request.Options);
        tenant.Value = null;
        await client.GetResponseAsync(request.Messages, request.Options);

        Assert.Equal(3, model.Calls);
        Assert.Equal(1, cache.Partition("acme").Count);
        Assert.Equal(1, cache.Partition("acme").Stats.Hits);
        Assert.Equal(1, cache.Partition("globex").Count);
        Assert.True(cache.TryGet(request.Key(), out _));
    }

    [Fact]
    public async Task The_partition_directive_takes_precedence_over_the_selector()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using ExactMatchCachingChatClient client = new(model, cache) { PartitionSelector = (_, _) => "selected" };

        await client.GetResponseAsync(In("named").Messages, In("named").Options);

        Assert.Equal(1, cache.Partition("named").Count);
        Assert.Equal(0, cache.Partition("selected").Count);
    }

    [Fact]
    public async Task A_ttl_directive_stores_the_response_with_that_ttl()
    {
        FakeTimeProvider clock = new();
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new(maxSize: 16, ttl: TimeSpan.FromHours(1), clock);
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request shortLived = Request.Typical(r => r.EnsureOptions().AdditionalProperties = new() { [Ttl] = TimeSpan.FromMinutes(1) });

        await client.GetResponseAsync(shortLived.Messages, shortLived.Options);
        clock.Advance(TimeSpan.FromMinutes(2));
        await client.GetResponseAsync(shortLived.Messages, shortLived.Options);

        Assert.Equal(2, model.Calls);
        Assert.Equal(1, cache.Stats.Expirations);
    }

    [Fact]
    public async Task A_ttl_directive_read_from_configuration_as_text_is_a_ttl()
    {
        FakeTimeProvider clock = new();
        ExactMatchCache<ChatResponse> cache = new(maxSize: 16, ttl: null, clock);
        using IChatClient client = new ExactMatchCachingChatClient(new FakeChatClient(), cache);
        Request request = Request.Typical(r => r.EnsureOptions().AdditionalProperties = new()
        {
            [Ttl] = JsonDocument.Parse("\"00:00:30\"").RootElement,
            [Partition] = JsonDocument.Parse("\"tenant\"").RootElement,
        });

        await client.GetResponseAsync(request.Messages, request.Options);
        clock.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(1, cache.Partition("tenant").Count);
        Assert.False(cache.Partition("tenant").TryGet(request.Key(), out _));
    }

    [Theory]
    [InlineData(Partition, "")]
    [InlineData(Partition, 42)]
    [InlineData(Ttl, "soon")]
    [InlineData(Ttl, 30)]
    [InlineData(Ttl, "-00:01:00")]
    public async Task A_directive_of_the_wrong_kind_is_an_ArgumentException_naming_it_and_nothing_is_called(string name, object value)
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request request = Request.Typical(r => r.EnsureOptions().AdditionalProperties = new() { [name] = value });

        ArgumentException thrown = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(request.Messages, request.Options));

        Assert.Contains($"'{name}'", thrown.Message, StringComparison.Ordinal);
        Assert.Equal("options", thrown.ParamName);
        Assert.Equal(0, model.Calls);
    }
}

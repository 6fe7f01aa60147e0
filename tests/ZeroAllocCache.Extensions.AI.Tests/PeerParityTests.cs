using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>
/// M.E.AI's own tests of <c>DistributedCachingChatClient</c> for <c>CacheKeyAdditionalValues</c> and
/// <c>CoalesceStreamingUpdates</c> (dotnet/extensions, DistributedCachingChatClientTest.cs), ported to this client with
/// the peer's inputs and assertions.
/// </summary>
public class PeerParityTests
{
    [Fact]
    public void Ctor_ExpectedDefaults()
    {
        using ExactMatchCachingChatClient client = new(new FakeChatClient(), new ExactMatchCache<ChatResponse>());

        Assert.True(client.CoalesceStreamingUpdates);
        client.CoalesceStreamingUpdates = false;
        Assert.False(client.CoalesceStreamingUpdates);
        client.CoalesceStreamingUpdates = true;
        Assert.True(client.CoalesceStreamingUpdates);
        Assert.Null(client.CacheKeyAdditionalValues);
    }

    [Fact]
    public async Task CacheKeyVariesByAdditionalKeyValuesAsync()
    {
        FakeChatClient model = new()
        {
            Respond = async (call, _) =>
            {
                await Task.Yield();
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, call.ToString(CultureInfo.InvariantCulture)));
            },
        };
        using ExactMatchCachingChatClient outer = new(model, new ExactMatchCache<ChatResponse>());

        ChatResponse r1 = await outer.GetResponseAsync([]);
        ChatResponse r2 = await outer.GetResponseAsync([]);
        Assert.Equal(1, model.Calls);
        Assert.Equal("1", r1.Text);
        Assert.Equal("1", r2.Text);

        outer.CacheKeyAdditionalValues = ["extraKey"];
        ChatResponse r3 = await outer.GetResponseAsync([]);
        ChatResponse r4 = await outer.GetResponseAsync([]);
        Assert.Equal(2, model.Calls);
        Assert.Equal("2", r3.Text);
        Assert.Equal("2", r4.Text);

        outer.CacheKeyAdditionalValues = [];
        ChatResponse r5 = await outer.GetResponseAsync([]);
        Assert.Equal(2, model.Calls);
        Assert.Equal("1", r5.Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [InlineData(null)]
    public async Task StreamingCoalescesConsecutiveTextChunksAsync(bool? coalesce)
    {
        List<ChatResponseUpdate> expected =
        [
            new(ChatRole.Assistant, "This"),
            new(ChatRole.Assistant, " becomes one chunk"),
            new() { Role = ChatRole.Assistant, Contents = [new FunctionCallContent("callId1", "separator")] },
            new(ChatRole.Assistant, "... and this"),
            new(ChatRole.Assistant, " becomes another"),
            new(ChatRole.Assistant, " one."),
        ];
        FakeChatClient model = new() { Stream = (_, ct) => AsStream(expected, ct) };
        using ExactMatchCachingChatClient outer = new(model, new ExactMatchCache<ChatResponse>());
        if (coalesce is { } value)
        {
            outer.CoalesceStreamingUpdates = value;
        }

        await ToListAsync(outer.GetStreamingResponseAsync("some input"));
        List<ChatResponseUpdate> result2 = await ToListAsync(outer.GetStreamingResponseAsync("some input"));

        Assert.Equal(1, model.Calls);
        if (coalesce is null or true)
        {
            ChatResponseUpdate update = Assert.Single(result2);
            Assert.Collection(
                update.Contents,
                c => Assert.Equal("This becomes one chunk", Assert.IsType<TextContent>(c).Text),
                c => Assert.IsType<FunctionCallContent>(c),
                c => Assert.Equal("... and this becomes another one.", Assert.IsType<TextContent>(c).Text));
        }
        else
        {
            Assert.Collection(
                result2,
                u => Assert.Equal("This", u.Text),
                u => Assert.Equal(" becomes one chunk", u.Text),
                u => Assert.IsType<FunctionCallContent>(Assert.Single(u.Contents)),
                u => Assert.Equal("... and this", u.Text),
                u => Assert.Equal(" becomes another", u.Text),
                u => Assert.Equal(" one.", u.Text));
        }
    }

    [Fact]
    public async Task StreamingCoalescingPropagatesMetadataAsync()
    {
        DateTimeOffset createdAt = DateTime.Parse("2024-10-11T19:23:36.0152137Z", DateTimeFormatInfo.InvariantInfo);
        List<ChatResponseUpdate> expected =
        [
            new() { Role = ChatRole.Assistant, Contents = [new TextContent("Hello")] },
            new() { Role = ChatRole.Assistant, Contents = [new TextContent(" world, ")] },
            new() { Role = ChatRole.Assistant, Contents = [new TextContent("how ") { AdditionalProperties = new() { ["a"] = "b", ["c"] = "d" } }] },
            new()
            {
                Role = ChatRole.Assistant,
                Contents = [new TextContent("are you?") { AdditionalProperties = new() { ["e"] = "f", ["g"] = "h" } }],
                CreatedAt = createdAt,
                ResponseId = "12345",
                MessageId = "someMessageId123",
                AuthorName = "Someone",
                FinishReason = ChatFinishReason.Length,
            },
        ];
        FakeChatClient model = new() { Stream = (_, ct) => AsStream(expected, ct) };
        using ExactMatchCachingChatClient outer = new(model, new ExactMatchCache<ChatResponse>());

        await ToListAsync(outer.GetStreamingResponseAsync("some input"));
        List<ChatResponseUpdate> result2 = await ToListAsync(outer.GetStreamingResponseAsync("some input"));

        ChatResponseUpdate update = Assert.Single(result2);
        Assert.Equal("Hello world, how are you?", update.Text);
        Assert.Equal("12345", update.ResponseId);
        Assert.Equal("someMessageId123", update.MessageId);
        Assert.Equal("Someone", update.AuthorName);
        Assert.Equal(ChatFinishReason.Length, update.FinishReason);
        Assert.Equal(createdAt, update.CreatedAt);
        Assert.Equal("Hello world, how are you?", Assert.IsType<TextContent>(Assert.Single(update.Contents)).Text);
    }

    [Fact]
    public async Task Uncoalesced_updates_survive_the_distributed_level_s_serializer()
    {
        List<ChatResponseUpdate> expected = [new(ChatRole.Assistant, "one"), new(ChatRole.Assistant, " two"), new(ChatRole.Assistant, " three")];
        FakeChatClient model = new() { Stream = (_, ct) => AsStream(expected, ct) };
        ExactMatchCache<ChatResponse> cache = new();
        using ExactMatchCachingChatClient outer = new(model, cache) { CoalesceStreamingUpdates = false };
        await ToListAsync(outer.GetStreamingResponseAsync("some input"));
        Assert.True(outer.TryGetCacheKey([new ChatMessage(ChatRole.User, "some input")], null, streaming: true, out CacheKey key));
        Assert.True(cache.TryGet(key, out ChatResponse? stored));

        System.Buffers.ArrayBufferWriter<byte> bytes = new();
        ChatResponseCacheSerializer.Instance.Serialize(stored, bytes);
        ChatResponse read = ChatResponseCacheSerializer.Instance.Deserialize(new System.Buffers.ReadOnlySequence<byte>(bytes.WrittenMemory));
        ExactMatchCache<ChatResponse> other = new();
        other.Put(key, read);
        using ExactMatchCachingChatClient reader = new(new FakeChatClient(), other) { CoalesceStreamingUpdates = false };

        List<ChatResponseUpdate> replayed = await ToListAsync(reader.GetStreamingResponseAsync("some input"));

        Assert.Equal(["one", " two", " three"], replayed.Select(u => u.Text));
        Assert.Equal("one two three", read.Text); // a plain reader sees the coalesced response
        Assert.StartsWith("[", System.Text.Encoding.UTF8.GetString(bytes.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Additional_values_of_a_kind_the_key_cannot_write_are_refused_when_set()
    {
        using ExactMatchCachingChatClient client = new(new FakeChatClient(), new ExactMatchCache<ChatResponse>());

        Assert.Equal("value", Assert.Throws<ArgumentException>(() => client.CacheKeyAdditionalValues = [new Uri("https://example.com")]).ParamName);
        client.CacheKeyAdditionalValues = ["v2", 3, true, JsonDocument.Parse("{\"a\":1}").RootElement];
        Assert.Equal(4, client.CacheKeyAdditionalValues!.Count);
        await client.GetResponseAsync("q");
    }

    [Fact]
    public async Task The_additional_values_are_copied_when_set()
    {
        FakeChatClient model = new();
        using ExactMatchCachingChatClient client = new(model, new ExactMatchCache<ChatResponse>());
        List<object> values = ["v1"];
        client.CacheKeyAdditionalValues = values;
        await client.GetResponseAsync("q");

        values[0] = "v2";
        await client.GetResponseAsync("q");

        Assert.Equal(1, model.Calls);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> AsStream(IEnumerable<ChatResponseUpdate> updates, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (ChatResponseUpdate update in updates)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return update;
        }
    }

    private static async Task<List<ChatResponseUpdate>> ToListAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        List<ChatResponseUpdate> list = [];
        await foreach (ChatResponseUpdate update in updates)
        {
            list.Add(update);
        }

        return list;
    }
}

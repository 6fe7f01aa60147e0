using Microsoft.Extensions.AI;

namespace ZeroAllocCache.Extensions.AI;

/// <summary>
/// A streamed response stored as the provider sent it (<see cref="ExactMatchCachingChatClient.CoalesceStreamingUpdates"/>
/// off): the updates, replayed one by one, beside the coalesced response they make, which is what the cache's other
/// readers (sizes, savings, a non-streaming look at the entry) see.
/// </summary>
internal sealed class UncoalescedChatResponse : ChatResponse
{
    public UncoalescedChatResponse(IReadOnlyList<ChatResponseUpdate> updates)
        : this(updates, updates.ToChatResponse())
    {
    }

    private UncoalescedChatResponse(IReadOnlyList<ChatResponseUpdate> updates, ChatResponse coalesced)
        : base(coalesced.Messages)
    {
        Updates = updates;
        ResponseId = coalesced.ResponseId;
        ConversationId = coalesced.ConversationId;
        ModelId = coalesced.ModelId;
        CreatedAt = coalesced.CreatedAt;
        FinishReason = coalesced.FinishReason;
        Usage = coalesced.Usage;
        AdditionalProperties = coalesced.AdditionalProperties;
        ContinuationToken = coalesced.ContinuationToken;
    }

    /// <summary>The updates as they came.</summary>
    public IReadOnlyList<ChatResponseUpdate> Updates { get; }

    /// <summary>The updates to replay for <paramref name="response"/>: as they came when it kept them and they are wanted, else one per message.</summary>
    public static IEnumerable<ChatResponseUpdate> ReplayOf(ChatResponse response, bool coalesce) =>
        !coalesce && response is UncoalescedChatResponse uncoalesced ? uncoalesced.Updates : response.ToChatResponseUpdates();
}

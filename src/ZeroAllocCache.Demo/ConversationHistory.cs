namespace ZeroAllocCache.Demo;

/// <summary>
/// The turns of a conversation before the message being asked. Part of the cache key: the same follow-up question
/// after a different conversation is a different request.
/// </summary>
public sealed class ConversationHistory : ICacheKeySource
{
    private readonly ChatTurn[] _turns;

    /// <summary>Creates a history of these turns, oldest first.</summary>
    /// <param name="turns">The turns.</param>
    public ConversationHistory(IEnumerable<ChatTurn> turns) => _turns = [.. turns];

    /// <summary>The history of a conversation's first message.</summary>
    public static ConversationHistory Empty { get; } = new([]);

    /// <summary>The turns, oldest first.</summary>
    public IReadOnlyList<ChatTurn> Turns => _turns;

    /// <inheritdoc/>
    public void WriteTo(ref CacheKeyWriter writer)
    {
        writer.Write("zeroalloccache.demo.history/v1");
        writer.BeginSequence(_turns.Length);
        foreach (ChatTurn turn in _turns)
        {
            writer.Write(in turn);
        }
    }
}

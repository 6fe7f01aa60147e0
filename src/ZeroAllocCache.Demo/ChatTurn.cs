namespace ZeroAllocCache.Demo;

/// <summary>Who wrote a turn of a conversation.</summary>
public enum TurnRole : byte
{
    /// <summary>The person asking.</summary>
    User,

    /// <summary>The model answering.</summary>
    Assistant,
}

/// <summary>One earlier message of a conversation.</summary>
/// <param name="Role">Who wrote it.</param>
/// <param name="Content">What was written.</param>
public readonly record struct ChatTurn(TurnRole Role, string Content) : ICacheKeySource
{
    /// <inheritdoc/>
    public void WriteTo(ref CacheKeyWriter writer)
    {
        writer.Write("zeroalloccache.demo.turn/v1");
        writer.WriteEnum(Role);
        writer.Write(Content);
    }
}

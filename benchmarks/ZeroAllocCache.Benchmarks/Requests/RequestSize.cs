namespace ZeroAllocCache.Benchmarks.Requests;

/// <summary>The three request sizes of the suite; <see cref="ReferenceRequests"/> holds their texts.</summary>
public enum RequestSize
{
    /// <summary>A 50-character system prompt and a 50-character user message.</summary>
    Small,

    /// <summary>The reference request: a 600-character system prompt and a 430-character user message.</summary>
    Reference,

    /// <summary>An 8,000-character system prompt and an 8,000-character user message.</summary>
    Large,
}

namespace ZeroAllocCache;

/// <summary>
/// Marks a <see langword="partial"/> method whose body the ZeroAllocCache source generator writes: identical calls
/// are answered from an <see cref="ExactMatchCache{TValue}"/>, new ones call the implementation once.
/// </summary>
/// <remarks>
/// Every parameter is part of the key except <see cref="CancellationToken"/> parameters and those marked with
/// <see cref="NotCacheKeyAttribute"/>.
/// </remarks>
/// <example>
/// <code>
/// [CachedLlmCall(Cache = nameof(_cache), Implementation = nameof(CallModelAsync))]
/// public partial ValueTask&lt;string&gt; AskAsync(string userMessage, string systemPrompt, string model,
///     float temperature, int maxTokens, CancellationToken cancellationToken = default);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CachedLlmCallAttribute : Attribute
{
    /// <summary>
    /// The name of the field or property of type <see cref="ExactMatchCache{TValue}"/> that holds the results.
    /// When omitted, the one member of that type in the containing type is used.
    /// </summary>
    public string? Cache { get; set; }

    /// <summary>
    /// The name of the uncached method to call on a miss, with the same parameters and return type. When omitted,
    /// the method's name with <c>Core</c> inserted before an <c>Async</c> suffix (<c>AskAsync</c> → <c>AskCoreAsync</c>,
    /// <c>Ask</c> → <c>AskCore</c>).
    /// </summary>
    public string? Implementation { get; set; }

    /// <summary>
    /// A string mixed into every key of this method. Change it (for example after a prompt change) to retire every
    /// entry stored by earlier versions.
    /// </summary>
    public string? KeyVersion { get; set; }
}

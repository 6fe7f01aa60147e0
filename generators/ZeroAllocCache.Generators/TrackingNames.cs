namespace ZeroAllocCache.Generators;

/// <summary>
/// The name of every step of the pipeline, so that tests can check which steps ran again after an edit.
/// </summary>
internal static class TrackingNames
{
    /// <summary>One <see cref="Model.ParseResult"/> per <c>[CachedLlmCall]</c> method: its model and its diagnostics.</summary>
    public const string ParseResults = nameof(ParseResults);

    /// <summary>The models of the methods that parsed without errors: the emitter's input.</summary>
    public const string Methods = nameof(Methods);

    /// <summary>The diagnostics of every method, reported through their own output.</summary>
    public const string Diagnostics = nameof(Diagnostics);
}

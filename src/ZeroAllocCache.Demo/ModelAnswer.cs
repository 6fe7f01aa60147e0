namespace ZeroAllocCache.Demo;

/// <summary>
/// A model's answer with what it cost: the cached value. A hit returns the stored answer, so its token counts and
/// model time are what the hit saved.
/// </summary>
/// <param name="Text">The answer.</param>
/// <param name="InputTokens">The prompt tokens the model call consumed.</param>
/// <param name="OutputTokens">The tokens the model generated.</param>
/// <param name="ModelTime">How long the model call took.</param>
public sealed record ModelAnswer(string Text, int InputTokens, int OutputTokens, TimeSpan ModelTime);

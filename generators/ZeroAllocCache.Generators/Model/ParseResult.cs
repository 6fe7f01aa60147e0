using ZeroAllocCache.Generators.Helpers;

namespace ZeroAllocCache.Generators.Model;

/// <summary>What the parser found for one <c>[CachedLlmCall]</c> method.</summary>
/// <param name="Method">The model to emit, or <see langword="null"/> when the method has errors.</param>
/// <param name="Diagnostics">The errors found, reported through their own output.</param>
internal sealed record ParseResult(CachedMethodModel? Method, EquatableArray<DiagnosticInfo> Diagnostics);

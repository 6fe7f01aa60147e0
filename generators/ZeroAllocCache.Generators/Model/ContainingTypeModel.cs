namespace ZeroAllocCache.Generators.Model;

/// <summary>A type that contains the cached method, as its partial declaration is written.</summary>
/// <param name="Keyword">The declaration keyword: <c>class</c>, <c>struct</c>, <c>record</c> or <c>record struct</c>; other parts carry the modifiers.</param>
/// <param name="Name">The name with its type parameters, for example <c>Bot&lt;T&gt;</c>.</param>
internal sealed record ContainingTypeModel(string Keyword, string Name);

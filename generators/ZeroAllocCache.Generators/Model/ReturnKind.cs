namespace ZeroAllocCache.Generators.Model;

/// <summary>How a cached method returns its result.</summary>
internal enum ReturnKind
{
    /// <summary><c>ValueTask&lt;T&gt;</c>: a hit completes synchronously without allocating.</summary>
    ValueTask,

    /// <summary><c>Task&lt;T&gt;</c>: as <see cref="ValueTask"/>, then converted to a task.</summary>
    Task,

    /// <summary>A plain <c>T</c>: looked up, else computed and stored.</summary>
    Value,
}

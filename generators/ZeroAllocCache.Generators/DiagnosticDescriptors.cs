using Microsoft.CodeAnalysis;

namespace ZeroAllocCache.Generators;

/// <summary>
/// The diagnostics of the <c>[CachedLlmCall]</c> generator. Every one is an error: the generator writes nothing for a
/// method that has one. Keep <c>AnalyzerReleases.Unshipped.md</c> and <c>docs/generator.md</c> in step with this file.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "ZeroAllocCache";

    public static readonly DiagnosticDescriptor MethodMustBePartial = Create(
        "ZAC0001",
        "A [CachedLlmCall] method must be a partial declaration without a body",
        "Method '{0}' must be declared partial and have no body, because the [CachedLlmCall] generator writes its implementation");

    public static readonly DiagnosticDescriptor TypeMustBePartial = Create(
        "ZAC0002",
        "A type containing a [CachedLlmCall] method must be partial",
        "Type '{0}' must be declared partial, because it contains the [CachedLlmCall] method '{1}'");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Create(
        "ZAC0003",
        "Unsupported return type",
        "Method '{0}' returns '{1}', but a [CachedLlmCall] method returns ValueTask<T>, Task<T> or a value T that is not void, a task without a result or a ref struct");

    public static readonly DiagnosticDescriptor UnsupportedParameterType = Create(
        "ZAC0004",
        "Unsupported key parameter type",
        "Parameter '{0}' of method '{1}' has type '{2}', which cannot be part of a cache key. Key parameters may be string, ReadOnlyMemory<char>, char, bool, an integer type, float, double, decimal, an enum, Guid, DateTime, DateTimeOffset, TimeSpan, a nullable of these, string[], IReadOnlyList<string> or a type that implements ZeroAllocCache.ICacheKeySource; mark the parameter [NotCacheKey] to leave it out of the key.");

    public static readonly DiagnosticDescriptor ParameterMustBeByValue = Create(
        "ZAC0005",
        "Parameters of a [CachedLlmCall] method are passed by value",
        "Parameter '{0}' of method '{1}' is declared '{2}', but the parameters of a [CachedLlmCall] method are passed by value");

    public static readonly DiagnosticDescriptor MethodMustNotBeGeneric = Create(
        "ZAC0006",
        "A [CachedLlmCall] method cannot be generic",
        "Method '{0}' is generic, but a [CachedLlmCall] method cannot have type parameters");

    public static readonly DiagnosticDescriptor CacheMemberNotFound = Create(
        "ZAC0007",
        "Cache member not found",
        "Type '{0}' has no field or property {1} to cache the results of '{2}'");

    public static readonly DiagnosticDescriptor CacheMemberAmbiguous = Create(
        "ZAC0008",
        "Ambiguous cache member",
        "Type '{0}' has several members of type '{1}' ({2}); name the one that caches '{3}' with Cache = nameof(...)");

    public static readonly DiagnosticDescriptor CacheMemberWrongType = Create(
        "ZAC0009",
        "Cache member of the wrong type",
        "'{0}' is of type '{1}', but the results of '{2}' need an '{3}'");

    public static readonly DiagnosticDescriptor CacheMemberNotStatic = Create(
        "ZAC0010",
        "A static [CachedLlmCall] method needs a static cache",
        "Static method '{0}' cannot use the instance member '{1}' as its cache; make the cache static or the method an instance method");

    public static readonly DiagnosticDescriptor ImplementationNotFound = Create(
        "ZAC0011",
        "Implementation method not found",
        "Type '{0}' has no method named '{1}' to compute the results of '{2}'; add it, or name another with Implementation = nameof(...)");

    public static readonly DiagnosticDescriptor ImplementationSignatureMismatch = Create(
        "ZAC0012",
        "Implementation method with a different signature",
        "No method '{0}' has the parameters and return type of '{1}'; the implementation must be '{2}'");

    public static readonly DiagnosticDescriptor UnsupportedContainingType = Create(
        "ZAC0013",
        "Unsupported containing type",
        "'{0}' is {1}, but a [CachedLlmCall] method must be declared in a class, a struct or a record");

    public static readonly DiagnosticDescriptor VariesPerCallOnNonKeyParameter = Create(
        "ZAC0014",
        "[VariesPerCall] on a parameter that is not part of the key",
        "Parameter '{0}' of method '{1}' is {2}, so it is not part of the cache key and [VariesPerCall] has nothing to order; remove one of them");

    public static readonly DiagnosticDescriptor SeveralPartitionParameters = Create(
        "ZAC0015",
        "More than one [CachePartition] parameter",
        "Method '{0}' marks both '{1}' and '{2}' [CachePartition], but a call is in one partition; mark one of them");

    public static readonly DiagnosticDescriptor PartitionParameterNotString = Create(
        "ZAC0016",
        "A [CachePartition] parameter is a string",
        "Parameter '{0}' of method '{1}' has type '{2}', but the partition's name is a string");

    public static readonly DiagnosticDescriptor PartitionParameterNotCacheKey = Create(
        "ZAC0017",
        "[CachePartition] on a parameter marked [NotCacheKey]",
        "Parameter '{0}' of method '{1}' is marked both [CachePartition] and [NotCacheKey]; a partition's name keeps entries apart, so it cannot also be left out; remove one of them");

    private static DiagnosticDescriptor Create(string id, string title, string messageFormat) =>
        new(id, title, messageFormat, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}

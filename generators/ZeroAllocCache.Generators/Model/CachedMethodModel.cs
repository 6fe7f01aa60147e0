using ZeroAllocCache.Generators.Helpers;

namespace ZeroAllocCache.Generators.Model;

/// <summary>
/// Everything the emitter needs to write one <c>[CachedLlmCall]</c> method, as strings and values only: two models
/// from equal source are equal, so an edit elsewhere leaves the generated file untouched.
/// </summary>
/// <param name="HintName">The name of the generated file, unique in the compilation.</param>
/// <param name="Namespace">The containing namespace, or <see langword="null"/> for the global namespace.</param>
/// <param name="ContainingTypes">The containing types, outermost first.</param>
/// <param name="QualifiedTypeName">The containing type as <c>global::</c>-qualified code, to reach static members.</param>
/// <param name="MethodName">The name of the cached method, escaped if it is a keyword.</param>
/// <param name="Modifiers">The modifiers of the declaration, repeated on the implementation.</param>
/// <param name="Accessibility">The accessibility keywords of the method, for the invalidation helper.</param>
/// <param name="IsStatic">Whether the method is static.</param>
/// <param name="ReturnKind">How the method returns its result.</param>
/// <param name="ReturnType">The declared return type, as code.</param>
/// <param name="ResultType">The type of the cached value, as code.</param>
/// <param name="Parameters">The parameters in declaration order.</param>
/// <param name="KeyFields">
/// The key parameters in the order the key hashes them: those that repeat across calls in declaration order, then
/// those marked <c>[VariesPerCall]</c> in declaration order. Decided from the declaration alone, never from names, so
/// renaming a parameter leaves every key as it was.
/// </param>
/// <param name="CacheMember">The name of the field or property that holds the cache.</param>
/// <param name="CacheIsStatic">Whether that member is static.</param>
/// <param name="Implementation">The name of the uncached method.</param>
/// <param name="ImplementationIsStatic">Whether the uncached method is static.</param>
/// <param name="KeyTypeName">The name of the generated key struct, unique among the containing type's members.</param>
/// <param name="InvalidateMethodName">The name of the generated invalidation helper.</param>
/// <param name="Identity">The string that names the method in every key: namespace, types, method and key parameter types.</param>
/// <param name="KeyVersion">The <c>KeyVersion</c> of the attribute, or <see langword="null"/>.</param>
/// <param name="TypeParameters">
/// The type parameters of the containing types, outermost first, as code: their run-time arguments are written into
/// every key after <paramref name="Identity"/>, which names them only as parameters.
/// </param>
internal sealed record CachedMethodModel(
    string HintName,
    string? Namespace,
    EquatableArray<ContainingTypeModel> ContainingTypes,
    string QualifiedTypeName,
    string MethodName,
    string Modifiers,
    string Accessibility,
    bool IsStatic,
    ReturnKind ReturnKind,
    string ReturnType,
    string ResultType,
    EquatableArray<ParameterModel> Parameters,
    EquatableArray<ParameterModel> KeyFields,
    string CacheMember,
    bool CacheIsStatic,
    string Implementation,
    bool ImplementationIsStatic,
    string KeyTypeName,
    string InvalidateMethodName,
    string Identity,
    string? KeyVersion,
    EquatableArray<string> TypeParameters);

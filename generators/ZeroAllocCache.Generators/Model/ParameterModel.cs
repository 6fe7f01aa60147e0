namespace ZeroAllocCache.Generators.Model;

/// <summary>A parameter of the cached method.</summary>
/// <param name="Name">The name as code, escaped with <c>@</c> if it is a keyword.</param>
/// <param name="Type">The type as code, with its nullable annotation.</param>
/// <param name="Modifier">The modifier the implementation must repeat (<c>params </c>, <c>this </c>) or an empty string.</param>
/// <param name="Role">Whether the parameter is part of the key.</param>
/// <param name="WriteKind">How a key parameter is written into the key; <see cref="KeyWriteKind.None"/> for the others.</param>
/// <param name="WriteType">The type argument of the writer call (the enum or key-source type, without its nullable), or an empty string.</param>
/// <param name="IsNullableValue">Whether the parameter is a <see cref="System.Nullable{T}"/>: written as a null marker or its value.</param>
/// <param name="VariesPerCall">Whether the parameter is marked <c>[VariesPerCall]</c>: hashed after the key parameters that repeat.</param>
internal sealed record ParameterModel(
    string Name,
    string Type,
    string Modifier,
    ParameterRole Role,
    KeyWriteKind WriteKind,
    string WriteType,
    bool IsNullableValue,
    bool VariesPerCall)
{
    /// <summary>The name without its <c>@</c>, for documentation and derived names.</summary>
    public string PlainName => Name.TrimStart('@');
}

namespace ZeroAllocCache;

/// <summary>
/// Marks a key parameter of a <see cref="CachedLlmCallAttribute"/> method whose value changes from call to call,
/// such as the user's message or a document, as opposed to those that repeat (system prompt, model, settings).
/// </summary>
/// <remarks>
/// <para>
/// The key hashes the parameters that repeat first, in declaration order, and the marked ones after them, in
/// declaration order. The runtime keeps the hashing state after a repeated prefix and resumes from it, so a call
/// whose repeated parameters were seen before hashes only what it marked: its hit is faster. Without the attribute
/// every key parameter is hashed in declaration order, and a prefix is reused only up to the first that changes.
/// </para>
/// <para>
/// The order is part of the key: adding or removing the attribute retires the method's entries, as a
/// <see cref="CachedLlmCallAttribute.KeyVersion"/> bump would. Renaming a parameter never does.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class VariesPerCallAttribute : Attribute
{
}

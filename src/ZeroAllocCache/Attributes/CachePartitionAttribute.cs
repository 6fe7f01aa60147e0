namespace ZeroAllocCache;

/// <summary>
/// Marks the <see cref="string"/> parameter of a <see cref="CachedLlmCallAttribute"/> method whose argument names the
/// cache partition (<see cref="ExactMatchCache{TValue}.Partition(string)"/>) the call is answered from and stored in,
/// such as a tenant's id: a call in one partition never gets another partition's answer.
/// </summary>
/// <remarks>
/// The argument is not part of the key (the partition keeps the entries apart), and is passed to the implementation
/// like any other. It must not be <see langword="null"/> or empty: the generated method throws an
/// <see cref="ArgumentException"/> naming the parameter. At most one parameter of a method carries the attribute,
/// and never one marked <see cref="NotCacheKeyAttribute"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class CachePartitionAttribute : Attribute
{
}

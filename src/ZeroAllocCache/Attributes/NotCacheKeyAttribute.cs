namespace ZeroAllocCache;

/// <summary>
/// Leaves a parameter of a <see cref="CachedLlmCallAttribute"/> method out of the cache key: calls that differ only
/// in this parameter share one entry. Use it for values that do not change the answer, such as a request id or a
/// logger.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class NotCacheKeyAttribute : Attribute
{
}

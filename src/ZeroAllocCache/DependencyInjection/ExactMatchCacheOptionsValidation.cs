using Microsoft.Extensions.Options;

namespace ZeroAllocCache;

/// <summary>
/// Checks <see cref="ExactMatchCacheOptions{TValue}"/> when the options are first read from the container, so that
/// a bad value (from code or from configuration) fails with an <see cref="OptionsValidationException"/> that lists
/// every problem, before a cache is built.
/// </summary>
/// <typeparam name="TValue">The cached value type.</typeparam>
internal sealed class ExactMatchCacheOptionsValidation<TValue> : IValidateOptions<ExactMatchCacheOptions<TValue>>
{
    public ValidateOptionsResult Validate(string? name, ExactMatchCacheOptions<TValue> options)
    {
        IReadOnlyList<(string Option, string Problem)> problems = options.Validate();
        if (problems.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        string cache = string.IsNullOrEmpty(name) ? "the default cache" : $"the cache '{name}'";
        return ValidateOptionsResult.Fail(problems.Select(p => $"ExactMatchCacheOptions<{typeof(TValue).Name}> of {cache}: {p.Problem}"));
    }
}

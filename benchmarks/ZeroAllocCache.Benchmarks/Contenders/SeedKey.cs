using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ZeroAllocCache.Benchmarks.Contenders;

/// <summary>
/// The Python seed's key, ported as it was: the five fields as strings joined with <c>"\0"</c>, encoded to UTF-8,
/// hashed with SHA-256 and written as 64 lowercase hexadecimal characters
/// (<c>hashlib.sha256("\0".join(...).encode()).hexdigest()</c>). Used by the seed port and by the MemoryCache contender.
/// </summary>
public static class SeedKey
{
    /// <summary>Computes the seed's key of a request.</summary>
    /// <param name="userMessage">The user's message.</param>
    /// <param name="systemPrompt">The system prompt.</param>
    /// <param name="model">The model name.</param>
    /// <param name="temperature">The sampling temperature, formatted like Python's <c>str(0.2)</c>.</param>
    /// <param name="maxTokens">The token budget.</param>
    /// <returns>The hexadecimal SHA-256 digest of the joined fields.</returns>
    public static string Compute(string userMessage, string systemPrompt, string model, float temperature, int maxTokens)
    {
        string raw = string.Join(
            '\0',
            userMessage,
            systemPrompt,
            model,
            temperature.ToString(CultureInfo.InvariantCulture),
            maxTokens.ToString(CultureInfo.InvariantCulture));
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(raw));
        return Convert.ToHexStringLower(digest);
    }
}

using System.Security.Cryptography;
using System.Text;

namespace ZeroAllocCache.Generators.Helpers;

/// <summary>A hash of a string that is the same on every machine and in every run, unlike <see cref="string.GetHashCode()"/>.</summary>
internal static class StableHash
{
    /// <summary>The first 64 bits of the SHA-256 of <paramref name="text"/>'s UTF-8 bytes, as 16 lowercase hex digits.</summary>
    public static string Hex16(string text)
    {
        using SHA256 sha = SHA256.Create();
        byte[] digest = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        var hex = new StringBuilder(16);
        for (int i = 0; i < 8; i++)
        {
            hex.Append(digest[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }
}

namespace ZeroAllocCache.Tests;

/// <summary>The ASCII fast path of key encoding narrows exactly the leading ASCII characters, at every length.</summary>
public class AsciiNarrowingTests
{
    [Fact]
    public void All_ascii_text_of_every_length_is_narrowed_whole()
    {
        for (int length = 0; length <= 200; length++)
        {
            string text = AsciiText(length);
            byte[] destination = new byte[length];

            int narrowed = AsciiNarrowing.NarrowLeadingAscii(text, destination);

            Assert.Equal(length, narrowed);
            Assert.Equal(System.Text.Encoding.ASCII.GetBytes(text), destination);
        }
    }

    [Fact]
    public void Narrowing_stops_at_or_before_the_first_non_ascii_character_and_writes_only_ascii_before_it()
    {
        foreach (char nonAscii in new[] { '\u0080', 'é', '\u07FF', '€', '\uD800', '\uFFFF' })
        {
            for (int length = 1; length <= 80; length++)
            {
                for (int position = 0; position < length; position++)
                {
                    char[] chars = AsciiText(length).ToCharArray();
                    chars[position] = nonAscii;
                    byte[] destination = new byte[length];

                    int narrowed = AsciiNarrowing.NarrowLeadingAscii(chars, destination);

                    Assert.InRange(narrowed, 0, position);
                    Assert.Equal(System.Text.Encoding.ASCII.GetBytes(chars, 0, narrowed), destination[..narrowed]);
                }
            }
        }
    }

    [Fact]
    public void A_destination_longer_than_the_text_is_written_only_as_far_as_the_text()
    {
        byte[] destination = Enumerable.Repeat((byte)0xEE, 100).ToArray();

        int narrowed = AsciiNarrowing.NarrowLeadingAscii(AsciiText(37), destination);

        Assert.Equal(37, narrowed);
        Assert.All(destination[37..], b => Assert.Equal(0xEE, b));
    }

    // Every printable ASCII character and the control characters, so that a wrong lane or shift shows.
    private static string AsciiText(int length) =>
        string.Create(length, 0, static (span, _) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = (char)((i * 37) % 128);
            }
        });
}

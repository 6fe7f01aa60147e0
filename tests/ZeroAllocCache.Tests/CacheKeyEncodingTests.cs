namespace ZeroAllocCache.Tests;

public class CacheKeyEncodingTests
{
    private static CacheKey Chat(string user = "u", string system = "s", string model = "m", float temperature = 0.5f, int maxTokens = 100) =>
        CacheKey.Create(user, system, model, temperature, maxTokens);

    [Fact]
    public void A_nul_inside_a_field_cannot_forge_a_field_boundary()
    {
        // The seed joined fields with '\0': these two requests collided there.
        Assert.NotEqual(Chat(system: "a\0b", model: "c"), Chat(system: "a", model: "b\0c"));
        Assert.NotEqual(Chat(user: "x", system: "a\0b"), Chat(user: "b\0x", system: "a"));
    }

    [Fact]
    public void Moving_characters_between_adjacent_fields_changes_the_key()
    {
        Assert.NotEqual(Chat(system: "ab", model: "c"), Chat(system: "a", model: "bc"));
        Assert.NotEqual(Chat(system: "", model: "ab"), Chat(system: "ab", model: ""));
    }

    [Fact]
    public void Empty_fields_are_valid_and_distinct_from_non_empty_ones()
    {
        CacheKey empty = Chat("", "", "", 0f, 0);

        Assert.Equal(ReferenceEncoding.ChatRequestKey("", "", "", 0f, 0), empty);
        Assert.NotEqual(empty, Chat("", "", " ", 0f, 0));
        Assert.NotEqual(empty, Chat(" ", "", "", 0f, 0));
    }

    [Fact]
    public void Each_field_changes_the_key()
    {
        CacheKey baseline = Chat();

        Assert.NotEqual(baseline, Chat(user: "v"));
        Assert.NotEqual(baseline, Chat(system: "t"));
        Assert.NotEqual(baseline, Chat(model: "n"));
        Assert.NotEqual(baseline, Chat(temperature: 0.50001f));
        Assert.NotEqual(baseline, Chat(maxTokens: 101));
    }

    [Fact]
    public void The_user_message_and_the_system_prompt_are_not_interchangeable()
    {
        Assert.NotEqual(Chat(user: "a", system: "b"), Chat(user: "b", system: "a"));
    }

    [Fact]
    public void Negative_zero_temperature_gives_the_key_of_zero()
    {
        Assert.Equal(Chat(temperature: 0f), Chat(temperature: -0f));
    }

    [Fact]
    public void Every_NaN_temperature_gives_one_key_that_no_number_shares()
    {
        float otherNaN = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001));
        Assert.True(float.IsNaN(otherNaN));

        Assert.Equal(Chat(temperature: float.NaN), Chat(temperature: otherNaN));
        Assert.NotEqual(Chat(temperature: float.NaN), Chat(temperature: float.PositiveInfinity));
    }

    [Theory]
    [InlineData("héllo wörld")]
    [InlineData("日本語のプロンプト")]
    [InlineData("emoji 🙂 and 𝄞")]
    [InlineData("mixed ascii, ünïcödé and 🚀 rockets")]
    public void Non_ASCII_text_is_encoded_as_UTF8(string text)
    {
        Assert.Equal(ReferenceEncoding.ChatRequestKey(text, text, "m", 1f, 1), Chat(text, text, "m", 1f, 1));
        Assert.NotEqual(Chat(user: text), Chat(user: text + " "));
    }

    [Fact]
    public void Lone_surrogates_do_not_collapse_into_one_value()
    {
        string[] variants = ["\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uFFFD", "?", "\uDC00\uD800", "\uD800\uDC00"];

        CacheKey[] keys = [.. variants.Select(v => Chat(user: "x" + v + "y"))];

        Assert.Equal(variants.Length, keys.Distinct().Count());
    }

    [Fact]
    public void Lone_surrogates_encode_as_their_three_byte_form()
    {
        string text = "a\uD800b\uDC00c\uD83D\uDE42d\uDBFF";

        Assert.Equal(ReferenceEncoding.ChatRequestKey(text, "s", "m", 0f, 1), Chat(user: text, system: "s", model: "m", temperature: 0f, maxTokens: 1));
    }

    [Theory]
    [InlineData(2_000)]
    [InlineData(100_000)]
    [InlineData(10_000_000)]
    public void Multi_megabyte_fields_hash_like_the_reference_encoding(int length)
    {
        string prompt = BuildText(length, seed: length);
        string user = BuildText(length / 2, seed: length + 1);

        CacheKey key = Chat(user, prompt, "gpt-4o", 0.7f, 4096);

        Assert.Equal(ReferenceEncoding.ChatRequestKey(user, prompt, "gpt-4o", 0.7f, 4096), key);
        Assert.NotEqual(key, Chat(user, prompt + "!", "gpt-4o", 0.7f, 4096));
    }

    [Fact]
    public void A_key_written_after_a_large_one_on_the_same_thread_is_unaffected_by_the_pooled_buffer()
    {
        CacheKey small = Chat(user: "small");
        _ = Chat(user: new string('x', 50_000));

        Assert.Equal(small, Chat(user: "small"));
    }

    [Fact]
    public void Null_and_empty_string_are_different_fields()
    {
        Assert.NotEqual(
            KeyFields.Create((ref w) => w.Write((string?)null)),
            KeyFields.Create((ref w) => w.Write("")));
    }

    [Fact]
    public void A_span_of_characters_encodes_exactly_as_the_equal_string()
    {
        Assert.Equal(
            KeyFields.Create((ref w) => w.Write("prefix-hello".AsSpan(7))),
            KeyFields.Create((ref w) => w.Write("hello")));
    }

    [Fact]
    public void Equal_numbers_of_different_types_give_different_keys()
    {
        CacheKey[] keys =
        [
            KeyFields.Create((ref w) => w.Write(1)),
            KeyFields.Create((ref w) => w.Write(1L)),
            KeyFields.Create((ref w) => w.Write(1u)),
            KeyFields.Create((ref w) => w.Write((short)1)),
            KeyFields.Create((ref w) => w.Write((byte)1)),
            KeyFields.Create((ref w) => w.Write(1f)),
            KeyFields.Create((ref w) => w.Write(1d)),
            KeyFields.Create((ref w) => w.Write(1m)),
            KeyFields.Create((ref w) => w.Write("1")),
            KeyFields.Create((ref w) => w.Write(true)),
            KeyFields.Create((ref w) => w.Write('\u0001')),
            KeyFields.Create((ref w) => w.WriteEnum(DayOfWeek.Monday)),
        ];

        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public void Every_scalar_kind_changes_the_key_when_its_value_changes()
    {
        Guid guid = Guid.NewGuid();
        DateTime time = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        DateTimeOffset offsetTime = new(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));

        (WriteFields First, WriteFields Second)[] pairs =
        [
            ((ref w) => w.Write(true), (ref w) => w.Write(false)),
            ((ref w) => w.Write('a'), (ref w) => w.Write('b')),
            ((ref w) => w.Write((sbyte)-1), (ref w) => w.Write((sbyte)1)),
            ((ref w) => w.Write((ushort)7), (ref w) => w.Write((ushort)8)),
            ((ref w) => w.Write(long.MaxValue), (ref w) => w.Write(long.MinValue)),
            ((ref w) => w.Write(ulong.MaxValue), (ref w) => w.Write(0UL)),
            ((ref w) => w.Write(0.1), (ref w) => w.Write(0.2)),
            ((ref w) => w.Write(1.5m), (ref w) => w.Write(-1.5m)),
            ((ref w) => w.Write(guid), (ref w) => w.Write(Guid.Empty)),
            ((ref w) => w.Write(time), (ref w) => w.Write(time.AddTicks(1))),
            ((ref w) => w.Write(time), (ref w) => w.Write(DateTime.SpecifyKind(time, DateTimeKind.Local))),
            ((ref w) => w.Write(offsetTime), (ref w) => w.Write(offsetTime.ToOffset(TimeSpan.Zero))),
            ((ref w) => w.Write(TimeSpan.FromSeconds(1)), (ref w) => w.Write(TimeSpan.FromSeconds(2))),
            ((ref w) => w.WriteEnum(DayOfWeek.Monday), (ref w) => w.WriteEnum(DayOfWeek.Tuesday)),
            ((ref w) => w.WriteBytes([1, 2]), (ref w) => w.WriteBytes([1, 2, 0])),
        ];

        foreach ((WriteFields first, WriteFields second) in pairs)
        {
            Assert.NotEqual(KeyFields.Create(first), KeyFields.Create(second));
            Assert.Equal(KeyFields.Create(first), KeyFields.Create(first));
        }
    }

    [Fact]
    public void Decimals_key_by_value_so_trailing_zeros_and_negative_zero_do_not_matter()
    {
        Assert.Equal(KeyFields.Create((ref w) => w.Write(1.0m)), KeyFields.Create((ref w) => w.Write(1.00m)));
        Assert.Equal(KeyFields.Create((ref w) => w.Write(0m)), KeyFields.Create((ref w) => w.Write(-0.000m)));
        Assert.NotEqual(KeyFields.Create((ref w) => w.Write(1.01m)), KeyFields.Create((ref w) => w.Write(1.1m)));
        Assert.Equal(
            KeyFields.Create((ref w) => w.Write(decimal.MaxValue)),
            KeyFields.Create((ref w) => w.Write(decimal.MaxValue)));
    }

    [Fact]
    public void Doubles_normalise_negative_zero_and_NaN()
    {
        Assert.Equal(KeyFields.Create((ref w) => w.Write(0d)), KeyFields.Create((ref w) => w.Write(-0d)));
        Assert.Equal(
            KeyFields.Create((ref w) => w.Write(double.NaN)),
            KeyFields.Create((ref w) => w.Write(BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000001)))));
    }

    [Fact]
    public void A_nullable_value_encodes_as_the_value_when_present_and_as_null_when_absent()
    {
        Assert.Equal(KeyFields.Create((ref w) => w.Write(7)), KeyFields.Create((ref w) => w.Write((int?)7)));
        Assert.Equal(KeyFields.Create((ref w) => w.Write(7L)), KeyFields.Create((ref w) => w.Write((long?)7)));
        Assert.Equal(KeyFields.Create((ref w) => w.Write(true)), KeyFields.Create((ref w) => w.Write((bool?)true)));
        Assert.Equal(KeyFields.Create((ref w) => w.Write(0f)), KeyFields.Create((ref w) => w.Write((float?)-0f)));
        Assert.Equal(KeyFields.Create((ref w) => w.Write(0.5)), KeyFields.Create((ref w) => w.Write((double?)0.5)));
        Assert.Equal(
            KeyFields.Create((ref w) => w.WriteEnum(DayOfWeek.Friday)),
            KeyFields.Create((ref w) => w.WriteEnum((DayOfWeek?)DayOfWeek.Friday)));

        CacheKey absent = KeyFields.Create((ref w) => w.WriteNull());
        Assert.Equal(absent, KeyFields.Create((ref w) => w.Write((int?)null)));
        Assert.Equal(absent, KeyFields.Create((ref w) => w.Write((double?)null)));
        Assert.Equal(absent, KeyFields.Create((ref w) => w.WriteEnum((DayOfWeek?)null)));
        Assert.NotEqual(absent, KeyFields.Create((ref w) => w.Write((int?)0)));
    }

    [Fact]
    public void Sequences_keep_their_element_boundaries()
    {
        CacheKey ab = KeyFields.Create((ref w) => w.WriteSequence(new[] { "a", "b" }));

        Assert.NotEqual(ab, KeyFields.Create((ref w) => w.WriteSequence(new[] { "ab" })));
        Assert.NotEqual(ab, KeyFields.Create((ref w) => w.WriteSequence(new[] { "a", "b", "" })));
        Assert.NotEqual(ab, KeyFields.Create((ref w) => w.WriteSequence(new[] { "b", "a" })));
        Assert.NotEqual(ab, KeyFields.Create((ref w) => { w.Write("a"); w.Write("b"); }));
    }

    [Fact]
    public void Arrays_lists_and_spans_of_strings_encode_alike()
    {
        string[] array = ["system", "user", "assistant"];
        List<string?> list = [.. array];

        CacheKey fromArray = KeyFields.Create((ref w) => w.WriteSequence(array));

        Assert.Equal(fromArray, KeyFields.Create((ref w) => w.WriteSequence((IReadOnlyList<string?>)list)));
        Assert.Equal(fromArray, KeyFields.Create((ref w) => w.WriteSequence(new ReadOnlySpan<string?>(array))));
    }

    [Fact]
    public void A_null_sequence_an_empty_sequence_and_a_null_element_are_all_different()
    {
        CacheKey[] keys =
        [
            KeyFields.Create((ref w) => w.WriteSequence((string[]?)null)),
            KeyFields.Create((ref w) => w.WriteSequence(Array.Empty<string>())),
            KeyFields.Create((ref w) => w.WriteSequence(new string?[] { null })),
            KeyFields.Create((ref w) => w.WriteSequence(new string?[] { "" })),
        ];

        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal(keys[0], KeyFields.Create((ref w) => w.WriteSequence((IReadOnlyList<string?>?)null)));
    }

    [Fact]
    public void A_nested_source_is_delimited_from_the_fields_around_it()
    {
        KeyFields inner = new((ref w) => w.Write("a"));

        Assert.NotEqual(
            KeyFields.Create((ref w) => { w.Write(inner); w.Write("b"); }),
            KeyFields.Create((ref w) => { w.Write("a"); w.Write("b"); }));
    }

    [Fact]
    public void BeginSequence_with_a_negative_count_throws_naming_the_argument()
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => KeyFields.Create((ref w) => w.BeginSequence(-1)));
        Assert.Equal("count", error.ParamName);
    }

    [Fact]
    public void The_chat_key_shape_never_equals_a_custom_shape_with_the_same_fields()
    {
        CacheKey custom = KeyFields.Create((ref w) =>
        {
            w.Write("s");
            w.Write("m");
            w.Write(0.5f);
            w.Write(100);
            w.Write("u");
        });

        Assert.NotEqual(Chat(), custom);
    }

    private static string BuildText(int length, int seed)
    {
        Random random = new(seed);
        char[] chars = new char[length];
        for (int i = 0; i < chars.Length; i++)
        {
            int roll = random.Next(100);
            chars[i] = roll switch
            {
                < 90 => (char)random.Next(32, 127),
                < 97 => (char)random.Next(0xA0, 0x3000),
                _ => (char)random.Next(0xD800, 0xE000), // surrogates, lone or accidentally paired
            };
        }

        return new string(chars);
    }
}

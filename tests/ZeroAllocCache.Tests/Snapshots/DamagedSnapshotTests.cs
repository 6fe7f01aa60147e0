using System.Text;

namespace ZeroAllocCache.Tests.Snapshots;

/// <summary>
/// A damaged snapshot never damages the cache: every kind of bad input is an <see cref="InvalidDataException"/> that
/// says what is wrong, and the live cache is exactly as it was.
/// </summary>
public class DamagedSnapshotTests
{
    private static CacheKey Key(int i) => CacheKey.Create("question " + i, "system", "model", 0.2f, 256);

    [Fact]
    public async Task A_byte_changed_at_any_offset_in_either_of_two_ways_is_refused_and_changes_nothing()
    {
        byte[] snapshot = await SnapshotOfAsync(12);
        foreach (byte pattern in (byte[])[0x01, 0xFF])
        {
            for (int offset = 0; offset < snapshot.Length; offset++)
            {
                byte[] damaged = (byte[])snapshot.Clone();
                damaged[offset] ^= pattern;
                ExactMatchCache<string> live = LiveCache();

                await Assert.ThrowsAsync<InvalidDataException>(() => live.LoadSnapshotAsync(new MemoryStream(damaged)));

                AssertUnchanged(live);
            }
        }
    }

    [Fact]
    public async Task Every_truncation_is_refused_and_says_where_the_file_ends()
    {
        byte[] snapshot = await SnapshotOfAsync(3);
        for (int length = 1; length < snapshot.Length; length++)
        {
            ExactMatchCache<string> live = LiveCache();

            InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => live.LoadSnapshotAsync(new MemoryStream(snapshot, 0, length)));

            Assert.True(error.Message.Contains("truncated", StringComparison.Ordinal) || error.Message.Contains("not a ZeroAllocCache snapshot", StringComparison.Ordinal), error.Message);
            AssertUnchanged(live);
        }
    }

    [Fact]
    public async Task A_truncated_entry_names_its_index_and_offset()
    {
        byte[] snapshot = await SnapshotOfAsync(3);

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(
            () => LiveCache().LoadSnapshotAsync(new MemoryStream(snapshot, 0, snapshot.Length - 60)));

        Assert.Matches(@"truncated: it ends at offset [\d,]+, inside entry 2", error.Message);
    }

    [Fact]
    public async Task An_empty_file_is_refused_as_empty()
    {
        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream()));

        Assert.Equal("The snapshot is empty.", error.Message);
    }

    [Fact]
    public async Task A_file_of_another_format_is_refused_as_not_a_snapshot()
    {
        byte[] json = Encoding.UTF8.GetBytes("""{"entries":[{"key":"q","value":"answer"}],"version":1}""");

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream(json)));

        Assert.Contains("not a ZeroAllocCache snapshot", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_future_format_version_is_refused_naming_the_version()
    {
        byte[] snapshot = await SnapshotOfAsync(1);
        snapshot[8] = 2; // the version, right after the 8 magic bytes

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream(snapshot)));

        Assert.Contains("format version 2, which this build does not read (it reads 1 to 1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snapshot_of_another_value_type_is_refused_naming_both_types()
    {
        ExactMatchCache<byte[]> other = new();
        other.Put(Key(1), [1]);
        using MemoryStream file = await SnapshotTests.SaveAsync(other);
        ExactMatchCache<string> live = LiveCache();

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => live.LoadSnapshotAsync(file));

        Assert.Contains("System.Byte[]", error.Message, StringComparison.Ordinal);
        Assert.Contains("System.String", error.Message, StringComparison.Ordinal);
        AssertUnchanged(live);
    }

    [Fact]
    public async Task Bytes_after_the_checksum_are_refused()
    {
        byte[] snapshot = [.. await SnapshotOfAsync(1), 0];

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream(snapshot)));

        Assert.Contains("after its checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_load_cancelled_before_it_starts_changes_nothing()
    {
        byte[] snapshot = await SnapshotOfAsync(50);
        ExactMatchCache<string> live = LiveCache();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => live.LoadSnapshotAsync(new MemoryStream(snapshot), new CancellationToken(canceled: true)));

        AssertUnchanged(live);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public async Task A_load_cancelled_part_way_through_the_file_changes_nothing(double fraction)
    {
        byte[] snapshot = await SnapshotOfAsync(200);
        ExactMatchCache<string> live = LiveCache();
        using CancellationTokenSource cancel = new();
        using ControlledStream source = new(new MemoryStream(snapshot), (long)(snapshot.Length * fraction)) { CancelWhenReached = cancel };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => live.LoadSnapshotAsync(source, cancel.Token));

        AssertUnchanged(live);
    }

    [Fact]
    public async Task Version_0_is_refused()
    {
        byte[] snapshot = await SnapshotOfAsync(1);
        snapshot[SnapshotBytes.VersionOffset] = 0;

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream(snapshot)));

        Assert.Contains("format version 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_flags_are_refused()
    {
        byte[] snapshot = await SnapshotOfAsync(1);
        snapshot[SnapshotBytes.FlagsOffset] = 4;

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream(SnapshotBytes.WithChecksum(snapshot))));

        Assert.Contains("its flags are 0004", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_entry_marker_is_refused_naming_the_entry()
    {
        byte[] snapshot = await SnapshotOfAsync(1);
        snapshot[SnapshotBytes.FirstEntry(snapshot)] = 7;

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream(SnapshotBytes.WithChecksum(snapshot))));

        Assert.Contains("entry 0 starts with the unknown marker 7", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SnapshotBytes.HitCountInEntry, -1)]
    [InlineData(SnapshotBytes.LengthInEntry, -5)]
    public async Task A_negative_hit_count_or_length_is_refused_even_with_a_matching_checksum(int field, int value)
    {
        byte[] snapshot = await SnapshotOfAsync(1);
        BitConverter.TryWriteBytes(snapshot.AsSpan(SnapshotBytes.FirstEntry(snapshot) + field), value);

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream(SnapshotBytes.WithChecksum(snapshot))));

        Assert.Contains("entry 0 has an impossible time, hit count or length", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_creation_time_beyond_the_calendar_is_refused()
    {
        byte[] snapshot = await SnapshotOfAsync(1);
        BitConverter.TryWriteBytes(snapshot.AsSpan(SnapshotBytes.FirstEntry(snapshot) + SnapshotBytes.CreatedInEntry), long.MaxValue);

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream(SnapshotBytes.WithChecksum(snapshot))));

        Assert.Contains("impossible time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_huge_payload_length_in_a_small_file_is_refused_as_truncated_without_allocating_it()
    {
        byte[] snapshot = await SnapshotOfAsync(1);
        BitConverter.TryWriteBytes(snapshot.AsSpan(SnapshotBytes.FirstEntry(snapshot) + SnapshotBytes.LengthInEntry), int.MaxValue);
        long before = GC.GetTotalAllocatedBytes(precise: true);

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream(snapshot)));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 64 << 20, "The load allocated the length it was given.");
    }

    [Fact]
    public async Task A_trailer_that_counts_other_than_the_entries_is_refused()
    {
        byte[] snapshot = await SnapshotOfAsync(3);
        BitConverter.TryWriteBytes(snapshot.AsSpan(SnapshotBytes.EndMarker(snapshot) + 1), 4L);

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream(SnapshotBytes.WithChecksum(snapshot))));

        Assert.Contains("its trailer counts 4 entries where it holds 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snapshot_written_with_another_serializer_is_refused_naming_both()
    {
        ExactMatchCache<string> other = new(new ExactMatchCacheOptions<string> { Serializer = new ReversedSerializer() });
        other.Put(Key(1), "answer");
        using MemoryStream file = await SnapshotTests.SaveAsync(other);
        ExactMatchCache<string> live = LiveCache();

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => live.LoadSnapshotAsync(file));

        Assert.Contains("ReversedSerializer", error.Message, StringComparison.Ordinal);
        Assert.Contains("StringCacheSerializer", error.Message, StringComparison.Ordinal);
        AssertUnchanged(live);
    }

    [Fact]
    public async Task A_short_file_of_another_kind_is_not_a_snapshot_and_a_short_start_of_one_is_truncated()
    {
        InvalidDataException other = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream("{}"u8.ToArray())));
        InvalidDataException start = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream("ZACS"u8.ToArray())));

        Assert.Contains("not a ZeroAllocCache snapshot", other.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", start.Message, StringComparison.Ordinal);
    }

    private static async Task<byte[]> SnapshotOfAsync(int entries)
    {
        ExactMatchCache<string> cache = new();
        for (int i = 0; i < entries; i++)
        {
            cache.Put(Key(100 + i), "answer " + i);
        }

        using MemoryStream file = await SnapshotTests.SaveAsync(cache);
        return file.ToArray();
    }

    // A live cache whose state the tests check afterwards: one entry, one hit.
    private static ExactMatchCache<string> LiveCache()
    {
        ExactMatchCache<string> live = new();
        live.Put(Key(1), "live");
        live.TryGet(Key(1), out _);
        return live;
    }

    // A string serializer of another type: its snapshots name it.
    private sealed class ReversedSerializer : Microsoft.Extensions.Caching.Hybrid.IHybridCacheSerializer<string>
    {
        public string Deserialize(System.Buffers.ReadOnlySequence<byte> source) => new([.. Encoding.UTF8.GetString(source).Reverse()]);

        public void Serialize(string value, System.Buffers.IBufferWriter<byte> target) => Encoding.UTF8.GetBytes(new string([.. value.Reverse()]), target);
    }

    private static void AssertUnchanged(ExactMatchCache<string> live)
    {
        Assert.Equal(1, live.Count);
        Assert.True(live.TryGetEntryInfo(Key(1), out CacheEntryInfo info));
        Assert.Equal(1, info.HitCount);
    }
}

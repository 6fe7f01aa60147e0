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
    public async Task A_byte_changed_at_any_of_a_sample_of_offsets_is_refused_and_changes_nothing()
    {
        byte[] snapshot = await SnapshotOfAsync(20);
        int[] offsets = [.. Enumerable.Range(0, snapshot.Length).Where(i => i % 7 == 0 || i < 64 || i >= snapshot.Length - 40)];
        foreach (int offset in offsets)
        {
            byte[] damaged = (byte[])snapshot.Clone();
            damaged[offset] ^= 0x5A;
            ExactMatchCache<string> live = LiveCache();

            await Assert.ThrowsAsync<InvalidDataException>(() => live.LoadSnapshotAsync(new MemoryStream(damaged)));

            AssertUnchanged(live);
        }

        Assert.True(offsets.Length > 200);
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
    public async Task A_future_format_version_is_refused_as_newer()
    {
        byte[] snapshot = await SnapshotOfAsync(1);
        snapshot[8] = 2; // the version, right after the 8 magic bytes

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => LiveCache().LoadSnapshotAsync(new MemoryStream(snapshot)));

        Assert.Contains("format version 2, newer than this build reads (1)", error.Message, StringComparison.Ordinal);
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
    public async Task A_cancelled_load_changes_nothing()
    {
        byte[] snapshot = await SnapshotOfAsync(50);
        ExactMatchCache<string> live = LiveCache();
        using CancellationTokenSource cancelled = new();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => live.LoadSnapshotAsync(new MemoryStream(snapshot), cancelled.Token));

        AssertUnchanged(live);
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

    private static void AssertUnchanged(ExactMatchCache<string> live)
    {
        Assert.Equal(1, live.Count);
        Assert.True(live.TryGetEntryInfo(Key(1), out CacheEntryInfo info));
        Assert.Equal(1, info.HitCount);
    }
}

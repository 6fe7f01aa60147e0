using System.Buffers;
using System.Text;

using Microsoft.Extensions.Caching.Hybrid;

namespace ZeroAllocCache.Tests.Snapshots;

/// <summary>Snapshots on disk: replaced atomically, so a save that fails leaves the previous file as it was.</summary>
public sealed class SnapshotFileTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("zac-snapshots-");

    private string SnapshotPath => Path.Combine(_folder.FullName, "cache.snapshot");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task A_file_round_trips_and_no_temporary_file_is_left_beside_it()
    {
        ExactMatchCache<string> saved = new();
        saved.Put(Key(1), "answer 1");
        saved.Put(Key(2), "answer 2");

        await saved.SaveSnapshotAsync(SnapshotPath);
        ExactMatchCache<string> loaded = new();

        Assert.Equal(2, await loaded.LoadSnapshotAsync(SnapshotPath));
        Assert.True(loaded.TryGet(Key(2), out string? value));
        Assert.Equal("answer 2", value);
        Assert.Equal([SnapshotPath], Directory.GetFiles(_folder.FullName));
    }

    [Fact]
    public async Task A_second_save_replaces_the_first()
    {
        ExactMatchCache<string> cache = new();
        cache.Put(Key(1), "first");
        await cache.SaveSnapshotAsync(SnapshotPath);
        cache.Put(Key(2), "second");

        await cache.SaveSnapshotAsync(SnapshotPath);

        Assert.Equal(2, await new ExactMatchCache<string>().LoadSnapshotAsync(SnapshotPath));
    }

    [Fact]
    public async Task A_save_that_fails_midway_leaves_the_previous_snapshot_byte_for_byte_and_no_temporary_file()
    {
        ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxSize = 0, Serializer = new PoisonSerializer() });
        cache.Put(Key(-1), "before");
        await cache.SaveSnapshotAsync(SnapshotPath);
        byte[] previous = await File.ReadAllBytesAsync(SnapshotPath);

        // Enough entries before the poisoned one (3 MB) that part of the new snapshot reaches the temporary file.
        cache.Put(Key(0), PoisonSerializer.Poison);
        for (int i = 1; i <= 1_500; i++)
        {
            cache.Put(Key(i), new string('x', 2_000));
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.SaveSnapshotAsync(SnapshotPath));

        Assert.Equal(previous, await File.ReadAllBytesAsync(SnapshotPath));
        Assert.Equal([SnapshotPath], Directory.GetFiles(_folder.FullName));
    }

    [Fact]
    public async Task A_cancelled_save_leaves_the_previous_snapshot_and_no_temporary_file()
    {
        ExactMatchCache<string> cache = new();
        cache.Put(Key(1), "kept");
        await cache.SaveSnapshotAsync(SnapshotPath);
        byte[] previous = await File.ReadAllBytesAsync(SnapshotPath);
        cache.Put(Key(2), "not saved");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.SaveSnapshotAsync(SnapshotPath, new CancellationToken(canceled: true)));

        Assert.Equal(previous, await File.ReadAllBytesAsync(SnapshotPath));
        Assert.Equal([SnapshotPath], Directory.GetFiles(_folder.FullName));
    }

    [Fact]
    public async Task A_save_cancelled_part_way_through_leaves_the_previous_snapshot_and_no_temporary_file()
    {
        using CancellationTokenSource cancel = new();
        ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxSize = 0, Serializer = new CancellingSerializer(cancel) });
        cache.Put(Key(-1), "before");
        await cache.SaveSnapshotAsync(SnapshotPath);
        byte[] previous = await File.ReadAllBytesAsync(SnapshotPath);

        // The least recent entry cancels the save when it is written: after 3 MB of others reached the temporary file.
        cache.Put(Key(0), CancellingSerializer.Trigger);
        for (int i = 1; i <= 1_500; i++)
        {
            cache.Put(Key(i), new string('x', 2_000));
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.SaveSnapshotAsync(SnapshotPath, cancel.Token));

        Assert.Equal(previous, await File.ReadAllBytesAsync(SnapshotPath));
        Assert.Equal([SnapshotPath], Directory.GetFiles(_folder.FullName));
    }

    [Fact]
    public async Task A_new_snapshot_is_private_to_its_owner_and_a_replaced_one_keeps_its_mode()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes
        }

        ExactMatchCache<string> cache = new();
        cache.Put(Key(1), "private");
        await cache.SaveSnapshotAsync(SnapshotPath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SnapshotPath));

        UnixFileMode shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(SnapshotPath, shared);
        await cache.SaveSnapshotAsync(SnapshotPath);

        Assert.Equal(shared, File.GetUnixFileMode(SnapshotPath));
    }

    [Fact]
    public async Task Loading_a_missing_file_throws_FileNotFoundException_and_saving_into_a_missing_folder_throws_DirectoryNotFoundException()
    {
        ExactMatchCache<string> cache = new();
        cache.Put(Key(1), "answer");

        await Assert.ThrowsAsync<FileNotFoundException>(() => cache.LoadSnapshotAsync(SnapshotPath));
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => cache.SaveSnapshotAsync(Path.Combine(_folder.FullName, "missing", "cache.snapshot")));
        Assert.Empty(Directory.GetFileSystemEntries(_folder.FullName));
    }

    [Fact]
    public async Task A_damaged_file_is_refused_and_the_cache_keeps_its_entries()
    {
        ExactMatchCache<string> saved = new();
        saved.Put(Key(1), "saved");
        await saved.SaveSnapshotAsync(SnapshotPath);
        byte[] bytes = await File.ReadAllBytesAsync(SnapshotPath);
        bytes[bytes.Length / 2] ^= 1;
        await File.WriteAllBytesAsync(SnapshotPath, bytes);
        ExactMatchCache<string> live = new();
        live.Put(Key(2), "live");

        await Assert.ThrowsAsync<InvalidDataException>(() => live.LoadSnapshotAsync(SnapshotPath));

        Assert.Equal(1, live.Count);
        Assert.False(live.TryGet(Key(1), out _));
    }

    private static CacheKey Key(int i) => CacheKey.Create("question " + i, "system", "model", 0.2f, 256);

    // A string serializer that cancels the save when it writes one particular value.
    private sealed class CancellingSerializer(CancellationTokenSource cancel) : IHybridCacheSerializer<string>
    {
        public const string Trigger = "cancel";

        public string Deserialize(ReadOnlySequence<byte> source) => Encoding.UTF8.GetString(source);

        public void Serialize(string value, IBufferWriter<byte> target)
        {
            if (value == Trigger)
            {
                cancel.Cancel();
            }

            Encoding.UTF8.GetBytes(value, target);
        }
    }

    // A string serializer that cannot write one particular value: a save that fails after it has begun.
    private sealed class PoisonSerializer : IHybridCacheSerializer<string>
    {
        public const string Poison = "poison";

        public string Deserialize(ReadOnlySequence<byte> source) => Encoding.UTF8.GetString(source);

        public void Serialize(string value, IBufferWriter<byte> target)
        {
            if (value == Poison)
            {
                throw new InvalidOperationException("This value cannot be written.");
            }

            Encoding.UTF8.GetBytes(value, target);
        }
    }
}

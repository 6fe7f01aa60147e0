namespace ZeroAllocCache.Redis.Tests;

/// <summary>The wire form of a backplane message: what round-trips, and what is ignored.</summary>
public class BackplaneMessageFormatTests
{
    private static readonly CacheKey Key = CacheKey.Create("q", "s", "m", 0f, 1);
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(CacheBackplaneMessageKind.Changed, "chat", null)]
    [InlineData(CacheBackplaneMessageKind.Removed, "chat", "tenant-a")]
    [InlineData(CacheBackplaneMessageKind.Cleared, "café ☕", "")]
    public void A_message_reads_back_as_it_was_written(CacheBackplaneMessageKind kind, string cacheName, string? partition)
    {
        Guid sender = Guid.NewGuid();
        CacheBackplaneMessage message = new(kind, Key, At, partition);

        byte[] bytes = BackplaneMessageFormat.Write(sender, cacheName, message);

        Assert.True(BackplaneMessageFormat.TryRead(bytes, out Guid readSender, out string readName, out CacheBackplaneMessage read));
        Assert.Equal((sender, cacheName, message), (readSender, readName, read));
    }

    [Fact]
    public void A_message_is_small()
    {
        Assert.Equal(66, BackplaneMessageFormat.Write(Guid.NewGuid(), "chat", new CacheBackplaneMessage(CacheBackplaneMessageKind.Removed, Key, At)).Length);
    }

    [Fact]
    public void Truncated_extended_and_foreign_messages_are_ignored()
    {
        byte[] bytes = BackplaneMessageFormat.Write(Guid.NewGuid(), "chat", new CacheBackplaneMessage(CacheBackplaneMessageKind.Changed, Key, At, "p"));
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.False(BackplaneMessageFormat.TryRead(bytes.AsSpan(0, length), out _, out _, out _));
        }

        Assert.False(BackplaneMessageFormat.TryRead([.. bytes, 0], out _, out _, out _));
        byte[] future = (byte[])bytes.Clone();
        future[0] = 2;
        Assert.False(BackplaneMessageFormat.TryRead(future, out _, out _, out _));
        byte[] unknownKind = (byte[])bytes.Clone();
        unknownKind[1] = 9;
        Assert.False(BackplaneMessageFormat.TryRead(unknownKind, out _, out _, out _));
        Assert.False(BackplaneMessageFormat.TryRead("hello from another program, on the same channel"u8, out _, out _, out _));
    }
}

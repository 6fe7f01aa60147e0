namespace ZeroAllocCache.Tests.Distributed;

/// <summary>The envelope of a distributed entry: what is accepted, and every way a stored value is refused.</summary>
public class DistributedEntryFormatTests
{
    private static readonly CacheKey Key = CacheKey.Create("q", "s", "m", 0f, 1);
    private static readonly ulong Tag = DistributedEntryFormat.TypeTag<string>();
    private static readonly DateTimeOffset Created = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_written_header_reads_back_with_its_times()
    {
        byte[] entry = Entry("payload"u8, expires: Created.AddHours(1));

        Assert.Equal(DistributedEntryFormat.Problem.None, DistributedEntryFormat.TryReadHeader(entry, Key, Tag, out DistributedEntryFormat.Header header));
        Assert.Equal(Created, header.Created);
        Assert.Equal(Created.AddHours(1), header.Expires);
    }

    [Fact]
    public void No_expiry_reads_back_as_none()
    {
        Assert.Equal(DistributedEntryFormat.Problem.None, DistributedEntryFormat.TryReadHeader(Entry("p"u8, null), Key, Tag, out DistributedEntryFormat.Header header));
        Assert.Null(header.Expires);
    }

    [Fact]
    public void Every_single_flipped_bit_of_a_valid_entry_is_refused()
    {
        byte[] entry = Entry("a payload of some length"u8, Created.AddDays(1));
        for (int bit = 0; bit < entry.Length * 8; bit++)
        {
            byte[] damaged = (byte[])entry.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));

            Assert.NotEqual(DistributedEntryFormat.Problem.None, DistributedEntryFormat.TryReadHeader(damaged, Key, Tag, out _));
        }
    }

    [Fact]
    public void Every_truncation_of_a_valid_entry_is_refused()
    {
        byte[] entry = Entry("payload"u8, null);
        for (int length = 0; length < entry.Length; length++)
        {
            Assert.NotEqual(DistributedEntryFormat.Problem.None, DistributedEntryFormat.TryReadHeader(entry.AsSpan(0, length), Key, Tag, out _));
        }
    }

    [Fact]
    public void Another_key_another_value_type_and_another_version_are_each_named()
    {
        byte[] entry = Entry("p"u8, null);
        byte[] future = (byte[])entry.Clone();
        future[3] = DistributedEntryFormat.Version + 1;

        Assert.Equal(DistributedEntryFormat.Problem.OtherKey, DistributedEntryFormat.TryReadHeader(entry, CacheKey.Create("other", "s", "m", 0f, 1), Tag, out _));
        Assert.Equal(DistributedEntryFormat.Problem.OtherValueType, DistributedEntryFormat.TryReadHeader(entry, Key, DistributedEntryFormat.TypeTag<byte[]>(), out _));
        Assert.Equal(DistributedEntryFormat.Problem.UnknownVersion, DistributedEntryFormat.TryReadHeader(future, Key, Tag, out _));
        Assert.Equal(DistributedEntryFormat.Problem.NotAnEnvelope, DistributedEntryFormat.TryReadHeader("{\"json\":true, \"and more\": \"bytes than a header holds, surely, yes\"}"u8, Key, Tag, out _));
    }

    [Fact]
    public void Value_type_tags_differ_between_types_and_stay_the_same_for_one()
    {
        Assert.NotEqual(DistributedEntryFormat.TypeTag<string>(), DistributedEntryFormat.TypeTag<byte[]>());
        Assert.Equal(DistributedEntryFormat.TypeTag<string>(), DistributedEntryFormat.TypeTag<string>());
    }

    [Fact]
    public void Writing_and_checking_a_header_allocates_nothing_once_a_thread_has_done_it()
    {
        byte[] entry = Entry(new byte[1024], Created.AddHours(1));
        long least = long.MaxValue;
        for (int round = 0; round < 5 && least != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                DistributedEntryFormat.WriteHeader(entry, Key, Tag, Created, Created.AddHours(1));
                if (DistributedEntryFormat.TryReadHeader(entry, Key, Tag, out _) != DistributedEntryFormat.Problem.None)
                {
                    throw new InvalidOperationException("Expected a valid entry.");
                }
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
    }

    private static byte[] Entry(ReadOnlySpan<byte> payload, DateTimeOffset? expires)
    {
        byte[] entry = new byte[DistributedEntryFormat.HeaderSize + payload.Length];
        payload.CopyTo(entry.AsSpan(DistributedEntryFormat.HeaderSize));
        DistributedEntryFormat.WriteHeader(entry, Key, Tag, Created, expires);
        return entry;
    }
}

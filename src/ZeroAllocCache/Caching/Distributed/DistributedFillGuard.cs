namespace ZeroAllocCache;

/// <summary>
/// Whether a value the distributed level answered with may go into memory: not when the key was stored or removed,
/// or memory emptied, while the read was in flight, because the store's answer may predate that change (an
/// invalidation, a newer put, a clear, another replica's message) and would undo it for the rest of its TTL.
/// </summary>
/// <remarks>
/// Keys share a counter by a hash of the key: a change to another key of the same stripe refuses a fill too, which
/// costs that one value its place in memory, never a wrong value. Every member is called under the cache's lock.
/// </remarks>
internal sealed class DistributedFillGuard
{
    // A power of two: enough that refusals for another key's change are rare at any put rate a store can absorb.
    private const int StripeCount = 256;

    private readonly uint[] _changes = new uint[StripeCount];
    private uint _empties;

    /// <summary>Taken before a read of the store; presented when its value is about to go into memory.</summary>
    public readonly record struct Ticket(int Stripe, uint Changes, uint Empties);

    public Ticket Take(in CacheKey key)
    {
        int stripe = StripeOf(key);
        return new Ticket(stripe, _changes[stripe], _empties);
    }

    /// <summary>Whether nothing that could make the read's value stale happened since <paramref name="ticket"/> was taken.</summary>
    public bool Admits(in Ticket ticket) => _changes[ticket.Stripe] == ticket.Changes && _empties == ticket.Empties;

    /// <summary>The key was stored or removed, in any partition.</summary>
    public void Changed(in CacheKey key) => _changes[StripeOf(key)] = unchecked(_changes[StripeOf(key)] + 1);

    /// <summary>Memory was emptied, or a partition of it.</summary>
    public void Emptied() => _empties = unchecked(_empties + 1);

    private static int StripeOf(in CacheKey key) => key.GetHashCode() & (StripeCount - 1);
}

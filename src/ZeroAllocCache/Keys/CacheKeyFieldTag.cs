namespace ZeroAllocCache;

/// <summary>
/// The byte written before every field of a key encoding. Tagging each field by kind keeps values of different
/// kinds apart (the string "1" and the integer 1, a null and an empty string) and makes every encoding self-delimiting.
/// </summary>
/// <remarks>The values are part of the key format: never renumber them; add new kinds at the end.</remarks>
internal enum CacheKeyFieldTag : byte
{
    String = 1,
    Null = 2,
    Boolean = 3,
    Char = 4,
    SByte = 5,
    Byte = 6,
    Int16 = 7,
    UInt16 = 8,
    Int32 = 9,
    UInt32 = 10,
    Int64 = 11,
    UInt64 = 12,
    Single = 13,
    Double = 14,
    Decimal = 15,
    Guid = 16,
    DateTime = 17,
    DateTimeOffset = 18,
    TimeSpan = 19,
    Enum = 20,
    Sequence = 21,
    Bytes = 22,
    NestedStart = 23,
    NestedEnd = 24,
}

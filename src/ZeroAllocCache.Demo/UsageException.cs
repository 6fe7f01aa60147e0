namespace ZeroAllocCache.Demo;

/// <summary>The command line is wrong: the demo prints the message and the usage, and exits with code 2.</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UsageException()
    {
    }

    /// <summary>Creates the exception with a message for the user.</summary>
    /// <param name="message">What is wrong.</param>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message for the user and the failure behind it.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The failure behind it.</param>
    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

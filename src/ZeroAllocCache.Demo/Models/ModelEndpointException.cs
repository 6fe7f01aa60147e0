namespace ZeroAllocCache.Demo.Models;

/// <summary>
/// A model endpoint failed in a way the user must fix (unreachable, rejected key, unknown model). The message is
/// written for them, one line, with no stack trace.
/// </summary>
public sealed class ModelEndpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelEndpointException()
    {
    }

    /// <summary>Creates the exception with a message for the user.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public ModelEndpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message for the user and the failure behind it.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The failure behind it.</param>
    public ModelEndpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

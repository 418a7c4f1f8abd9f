namespace Runner;

/// <summary>
/// The trial cannot run as configured: bad config, data, arguments or checkpoint. Final (exit 2);
/// the message names what is wrong and what would be right.
/// </summary>
internal sealed class BadInputException(string message) : Exception(message);

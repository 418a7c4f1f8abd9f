namespace Core.Data;

/// <summary>The corpus cannot be used (missing, empty, wrong sha256, download failed); the message says what to do.</summary>
public sealed class CorpusException(string message) : Exception(message);

namespace Reporting.Tests.Support;

/// <summary>The tests that read the one sweep of real trials (<see cref="RealSweepReport"/>), recorded once for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class RealSweepCollection : ICollectionFixture<RealSweepReport>
{
    public const string Name = "real sweep";
}

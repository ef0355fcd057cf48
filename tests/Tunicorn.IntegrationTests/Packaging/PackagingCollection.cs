using Xunit;

namespace Tunicorn.IntegrationTests.Packaging;

/// <summary>
/// The packaging tests run alone, after the others: they pack from the suite's own build output (artifacts/) and
/// load the machine's two cores with builds, which would skew the timing-sensitive tests beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackagingCollection
{
    public const string Name = "Packaging";
}

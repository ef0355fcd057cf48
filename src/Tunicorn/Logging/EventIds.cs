namespace Tunicorn.Logging;

/// <summary>
/// Event id ranges, one per subsystem, so operators can grep and alert on them:
/// 1xxx master, 2xxx worker, 3xxx thrift, 4xxx registry, 5xxx client, 6xxx log files (of master and workers alike).
/// </summary>
internal static class EventIds
{
    public const int Master = 1000;
    public const int Worker = 2000;
    public const int Thrift = 3000;
    public const int Registry = 4000;
    public const int Client = 5000;
    public const int LogFiles = 6000;
}

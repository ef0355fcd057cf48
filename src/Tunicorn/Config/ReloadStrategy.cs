namespace Tunicorn.Config;

/// <summary>How a HUP replaces the workers (reload_strategy).</summary>
public enum ReloadStrategy
{
    /// <summary>All the new workers start; once every one accepts, all the old ones retire.</summary>
    Generation,
    /// <summary>max_surge new workers at a time: each old one retires once a new one accepts.</summary>
    Rolling,
}

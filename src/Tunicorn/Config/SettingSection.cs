namespace Tunicorn.Config;

/// <summary>The groups of settings, in the order --help and docs/settings.md show them.</summary>
public enum SettingSection
{
    Config,
    Server,
    Worker,
    Process,
    Logging,
    Thrift,
    Hooks,
}

namespace Tunicorn.Control;

/// <summary>The commands of the control socket, each doing what a signal does (docs/control.md).</summary>
internal static class ControlCommands
{
    public const string Status = "status";
    public const string Workers = "workers";
    public const string Add = "add";
    public const string Remove = "remove";
    public const string Kill = "kill";
    public const string Reload = "reload";
    public const string Reopen = "reopen";
    public const string Stop = "stop";
    public const string Config = "config";
    public const string Upgrade = "upgrade";

    /// <summary>The steps of <see cref="Upgrade"/>, in its request's "step": start a new master (USR2), finish (WINCH, then the old master stops), roll back.</summary>
    public const string UpgradeStart = "start";
    public const string UpgradeFinish = "finish";
    public const string UpgradeRollback = "rollback";

    public static IReadOnlyList<string> All { get; } = [Status, Workers, Add, Remove, Kill, Reload, Reopen, Stop, Config, Upgrade];

    /// <summary>The most workers one add or remove changes: a typo (add 1000) must not fork a thousand processes.</summary>
    public const int MaxCount = 64;
}

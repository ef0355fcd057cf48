namespace Tunicorn.Config;

/// <summary>Settings of the server hooks.</summary>
internal static class HooksSettings
{
    /// <summary>A type name deriving from ServerHooks, looked up in the app assembly and loaded assemblies.</summary>
    public static readonly Setting<string> Hooks = new("hooks", SettingSection.Hooks)
    {
        Flags = ["--hooks"],
        MetaVar = "TYPE",
        Default = null,
        Validator = Validators.TypeName,
        Description = """
            The class deriving from ServerHooks whose methods are the server hooks.
            A type name (Namespace.Type, or Namespace.Type, Assembly) looked up in the app assembly and the loaded
            assemblies. Unset uses the one ServerHooks class of the app assembly, if there is one.
            """,
    };
}

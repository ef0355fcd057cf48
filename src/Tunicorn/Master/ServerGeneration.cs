using Tunicorn.Config;
using Tunicorn.Hooks;

namespace Tunicorn.Master;

/// <summary>
/// What one (re)load of the configuration produced: settings and the hooks they name. A HUP asks the
/// <see cref="GenerationLoader"/> for a new one; when it throws, the running generation stays.
/// </summary>
internal sealed record ServerGeneration(Settings Settings, ServerHooks Hooks)
{
    public string SerializedSettings { get; } = Settings.Serialize();

    /// <summary>
    /// Releases what loading this generation's app took (its assemblies, in the master), once the generation is replaced
    /// or given up: without it every HUP kept one more copy of the app for the master's whole life.
    /// </summary>
    public Action? UnloadApp { get; init; }
}

/// <summary>Loads settings, app and hooks anew; throws with a reason an operator can act on.</summary>
internal delegate ServerGeneration GenerationLoader();

using Tunicorn.Config;
using Tunicorn.Hooks;

namespace Tunicorn.Master;

/// <summary>
/// What one (re)load of the configuration produced: settings and the hooks they name. A HUP asks the
/// <see cref="GenerationLoader"/> for a new one; when it throws, the running generation stays.
/// </summary>
public sealed record ServerGeneration(Settings Settings, ServerHooks Hooks)
{
    public string SerializedSettings { get; } = Settings.Serialize();
}

/// <summary>Loads settings, app and hooks anew; throws with a reason an operator can act on.</summary>
public delegate ServerGeneration GenerationLoader();

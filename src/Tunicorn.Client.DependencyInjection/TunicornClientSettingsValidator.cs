using Microsoft.Extensions.Options;

namespace Tunicorn.Client.DependencyInjection;

/// <summary>Checks each named client's settings when they are first read (or at start, with a host's ValidateOnStart).</summary>
internal sealed class TunicornClientSettingsValidator(IOptionsMonitor<TunicornClientHooks> hooks) : IValidateOptions<TunicornClientSettings>
{
    public ValidateOptionsResult Validate(string? name, TunicornClientSettings options)
    {
        var mine = hooks.Get(name);
        // Settings of a name no AddTunicornClient registered are not a client's: nothing to check.
        if (mine.SectionPath is null && mine.Discovery is null)
            return ValidateOptionsResult.Skip;
        var problems = TunicornClientSettingsConverter.Problems(options, mine.SectionPath, mine.Discovery is not null);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;

namespace Tunicorn.Config;

/// <summary>
/// The System.CommandLine parser generated from <see cref="SettingRegistry"/>. It only tokenizes: every value is
/// taken as text and validated by the setting's own validator, so errors read the same from every source.
/// </summary>
internal sealed class SettingsCommandLine
{
    // Response files (@file) would be a second, undocumented config file format.
    private static readonly ParserConfiguration Configuration = new() { ResponseFileTokenReplacer = null };

    private readonly Command _command = new("tunicorn");
    private readonly Dictionary<Option, Setting> _options = [];
    private readonly Argument<string?> _app = new("APP") { Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _help = new("--help", "-h") { Arity = ArgumentArity.Zero };
    private readonly Option<bool> _version = new("--version", "-v") { Arity = ArgumentArity.Zero };

    public SettingsCommandLine()
    {
        foreach (var setting in SettingRegistry.All.Where(s => s.Flags.Count > 0))
        {
            var aliases = setting.Flags.Where(f => f != setting.LongFlag).ToArray();
            Option option = setting.IsFlag
                ? new Option<bool>(setting.LongFlag!, aliases) { Arity = ArgumentArity.Zero }
                // One value per occurrence: "-b A B" must not bind B, and a scalar given twice keeps the last, as in argparse.
                : new Option<string[]>(setting.LongFlag!, aliases) { AllowMultipleArgumentsPerToken = false };
            _options[option] = setting;
            _command.Options.Add(option);
        }
        _command.Options.Add(_help);
        _command.Options.Add(_version);
        _command.Arguments.Add(_app);
    }

    /// <summary>Tokenizes <paramref name="args"/>; <paramref name="source"/> names where they came from in errors.</summary>
    /// <exception cref="SettingsLoadException">An unknown option, a missing value or an extra argument.</exception>
    public CommandLineArguments Parse(IReadOnlyList<string> args, string? source)
    {
        var result = _command.Parse(args, Configuration);
        var from = SettingsLoadException.From(source);

        var appTokens = result.GetResult(_app)?.Tokens ?? [];
        // System.CommandLine hands an unknown option to the positional APP when it is free; after "--" it is an APP.
        if (appTokens.Count > 0 && LooksLikeOption(appTokens[0].Value) && !AfterDoubleDash(result, appTokens[0]))
        {
            throw new SettingsLoadException($"unrecognized option '{appTokens[0].Value}'{from}");
        }
        if (result.Errors.Count > 0)
        {
            throw new SettingsLoadException(Describe(result, result.Errors[0]) + from);
        }

        var values = new List<KeyValuePair<Setting, IReadOnlyList<string>>>();
        foreach (var (option, setting) in _options)
        {
            if (result.GetResult(option) is { Implicit: false } optionResult)
            {
                IReadOnlyList<string> texts = setting.IsFlag ? ["true"] : [.. optionResult.Tokens.Select(t => t.Value)];
                values.Add(new(setting, texts));
            }
        }
        if (appTokens.Count > 0)
        {
            values.Add(new(ConfigSettings.App, [appTokens[0].Value]));
        }
        return new CommandLineArguments(values, IsSet(result, _help), IsSet(result, _version));
    }

    private string Describe(ParseResult result, ParseError error)
    {
        if (error.SymbolResult is OptionResult optionResult && _options.TryGetValue(optionResult.Option, out var setting))
        {
            return $"{setting.Name}: {optionResult.IdentifierToken?.Value ?? setting.LongFlag} needs a value ({setting.TypeDescription})";
        }
        if (result.UnmatchedTokens.Count > 0)
        {
            var token = result.UnmatchedTokens[0];
            return LooksLikeOption(token) ? $"unrecognized option '{token}'" : $"unexpected argument '{token}' (only one APP is allowed)";
        }
        return error.Message.TrimEnd('.');
    }

    private static bool IsSet(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    private static bool LooksLikeOption(string token) => token.Length > 1 && token[0] == '-';

    private static bool AfterDoubleDash(ParseResult result, Token token)
    {
        var doubleDash = -1;
        for (var i = 0; i < result.Tokens.Count; i++)
        {
            if (result.Tokens[i].Type == TokenType.DoubleDash && doubleDash < 0)
            {
                doubleDash = i;
            }
            if (ReferenceEquals(result.Tokens[i], token) || result.Tokens[i].Equals(token))
            {
                return doubleDash >= 0 && doubleDash < i;
            }
        }
        return false;
    }
}

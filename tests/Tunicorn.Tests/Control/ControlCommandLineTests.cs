using Tunicorn.Control;

namespace Tunicorn.Tests.Control;

public sealed class ControlCommandLineTests
{
    private static async Task<(int Code, string Output, string Errors)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        int code = await ControlCommandLine.RunAsync(args, output, errors);
        return (code, output.ToString(), errors.ToString());
    }

    [Fact]
    public async Task Help_ShowsTheCommandAsTyped_TunicornCtl_NotTheExecutablesName()
    {
        var (code, output, errors) = await RunAsync("--help");

        Assert.Equal(0, code);
        Assert.Empty(errors);
        Assert.Contains("Usage:\n  tunicorn ctl [command] [options]\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("status ", output);
        Assert.Contains("--socket <PATH>", output);
    }

    [Fact]
    public async Task HelpAfterAVerb_ShowsThatVerbsHelp_AndAsksNoServer()
    {
        // -s names a socket nobody listens on: a request would exit 3 (unreachable).
        var (code, output, errors) = await RunAsync("-s", "/nonexistent/tunicorn.ctl", "add", "--help");

        Assert.Equal(0, code);
        Assert.Empty(errors);
        Assert.Contains("Usage:\n  tunicorn ctl add <N> [options]\n", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task NoVerb_IsAUsageError()
    {
        var (code, _, errors) = await RunAsync();

        Assert.Equal(2, code);
        Assert.Contains("Try 'tunicorn ctl --help'.", errors);
    }
}

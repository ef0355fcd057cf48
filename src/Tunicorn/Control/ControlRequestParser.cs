using System.Text.Json;

namespace Tunicorn.Control;

/// <summary>Reads one request line and checks it; an invalid request gets a reason the client is told and the master logs.</summary>
internal static class ControlRequestParser
{
    /// <returns>The request, or null with <paramref name="error"/> saying what is wrong with it.</returns>
    public static ControlRequest? Parse(ReadOnlySpan<byte> line, out string? error)
    {
        ControlRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlRequest);
        }
        catch (JsonException e)
        {
            error = $"not a JSON request object: {e.Message}";
            return null;
        }
        if (request is null)
        {
            error = "not a JSON request object: null";
            return null;
        }
        error = Check(request);
        return error is null ? request : null;
    }

    private static string? Check(ControlRequest request)
    {
        if (string.IsNullOrEmpty(request.Command))
            return "\"command\" is missing"; // also "command": null, which the deserializer lets through
        switch (request.Command)
        {
            case ControlCommands.Add or ControlCommands.Remove:
                if (request.Count is not int count)
                    return $"{request.Command}: \"count\" is missing";
                if (count is < 1 or > ControlCommands.MaxCount)
                    return $"{request.Command}: \"count\" must be 1 to {ControlCommands.MaxCount}, not {count}";
                return null;
            case ControlCommands.Kill:
                return request.Pid is > 0 ? null : "kill: \"pid\" must be a worker's pid";
            case ControlCommands.Upgrade:
                return request.Step is null or ControlCommands.UpgradeStart or ControlCommands.UpgradeFinish or ControlCommands.UpgradeRollback ? null
                    : $"upgrade: \"step\" must be {ControlCommands.UpgradeStart}, {ControlCommands.UpgradeFinish} or {ControlCommands.UpgradeRollback}, not '{request.Step}'";
            case ControlCommands.Status or ControlCommands.Workers or ControlCommands.Reload or ControlCommands.Reopen
                or ControlCommands.Stop or ControlCommands.Config:
                return null;
            default:
                return $"unknown command '{request.Command}' (known: {string.Join(", ", ControlCommands.All)})";
        }
    }
}

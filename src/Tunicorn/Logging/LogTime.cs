using System.Globalization;

namespace Tunicorn.Logging;

/// <summary>Timestamps as gunicorn writes them: <c>2026-11-27 05:12:14 +0000</c>.</summary>
internal static class LogTime
{
    public static string Now() => Format(DateTimeOffset.Now);

    public static string Format(DateTimeOffset time)
    {
        TimeSpan offset = time.Offset;
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{time:yyyy-MM-dd HH:mm:ss} {sign}{offset.Hours:00}{offset.Minutes:00}");
    }

    /// <summary>The access log's time, as gunicorn's %(t)s (Apache's common log format): <c>07/Dec/2026:02:50:16 +0000</c>.</summary>
    public static string FormatCommonLog(DateTimeOffset time)
    {
        TimeSpan offset = time.Offset;
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{time:dd/MMM/yyyy:HH:mm:ss} {sign}{offset.Hours:00}{offset.Minutes:00}");
    }
}

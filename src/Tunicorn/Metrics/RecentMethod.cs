namespace Tunicorn.Metrics;

/// <summary>One method's calls over the recent window (/status): quantiles in seconds, null without calls.</summary>
internal sealed record RecentMethod(string Method, long Calls, long Errors, double WindowSeconds, double? P50, double? P99, double? P999);

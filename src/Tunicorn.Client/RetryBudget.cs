namespace Tunicorn.Client;

/// <summary>
/// How many retries the client may send: each call earns <c>ratio</c> of a retry, each retry spends one, plus
/// <c>minPerSecond</c> retries a second that are always allowed (so a quiet client can still retry). While servers
/// fail, retries stay a fraction of the calls and cannot multiply the load on the servers left (Finagle's
/// RetryBudget, gRPC's retry throttling).
/// </summary>
internal sealed class RetryBudget(double ratio, int minPerSecond, TimeProvider time)
{
    // In thousandths of a retry, so that five calls at 0.2 make exactly one. A long quiet spell must not bank an
    // unbounded burst of retries: at most 100.
    private const long OneRetry = 1000;
    private const long MaxBalance = 100 * OneRetry;

    private readonly long _earnedPerCall = (long)Math.Round(ratio * OneRetry);
    private readonly Lock _gate = new();
    private long _balance;
    private long _second = -1;
    private int _spentThisSecond;

    public void Deposit()
    {
        if (_earnedPerCall <= 0)
            return;
        lock (_gate)
            _balance = Math.Min(_balance + _earnedPerCall, MaxBalance);
    }

    public bool TryWithdraw()
    {
        long second = time.GetTimestamp() / time.TimestampFrequency;
        lock (_gate)
        {
            if (_balance >= OneRetry)
            {
                _balance -= OneRetry;
                return true;
            }
            if (second != _second)
            {
                _second = second;
                _spentThisSecond = 0;
            }
            if (_spentThisSecond >= minPerSecond)
                return false;
            _spentThisSecond++;
            return true;
        }
    }
}

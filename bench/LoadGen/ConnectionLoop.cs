using System.Diagnostics;
using System.Net.Sockets;

namespace Tunicorn.Bench.LoadGen;

/// <summary>
/// One persistent connection of a closed loop: send a call, wait for the whole reply, check it, repeat. The
/// call loop allocates nothing: the request and expected reply are this connection's own pre-encoded copies,
/// socket operations are awaited as pooled ValueTasks inside one long-lived state machine, and latency goes
/// into this connection's own histogram. On an error the connection is counted, closed and re-opened.
/// </summary>
public sealed class ConnectionLoop
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(20);

    private readonly LoadRun _run;
    private readonly CallTemplate _call;
    private readonly byte[] _received;
    private readonly long[] _measuredErrors = new long[Enum.GetValues<ErrorKind>().Length];
    private volatile Socket? _socket;
    private long _callStart;          // Stopwatch timestamp of the call in flight; 0 when none
    private volatile bool _timedOut;  // set by the watchdog before it closes the socket
    private bool _established;        // the current socket finished connecting
    private int _sequenceId;

    public ConnectionLoop(LoadRun run, CallTemplate call)
    {
        _run = run;
        _call = call;
        _received = new byte[call.ExpectedReply.Length];
    }

    public LatencyHistogram Histogram { get; } = new();
    public long WarmupCalls { get; private set; }
    public long WarmupErrors { get; private set; }
    public long MeasuredErrors(ErrorKind kind) => _measuredErrors[(int)kind];

    /// <summary>Start of the call in flight (Stopwatch timestamp), 0 when the connection is between calls.</summary>
    public long CallStart => Volatile.Read(ref _callStart);

    /// <summary>Watchdog: the call in flight took too long; closing the socket ends the pending receive.</summary>
    public void TimeOut()
    {
        _timedOut = true;
        _socket?.Dispose();
    }

    /// <summary>End of run: closes the socket whatever it is doing.</summary>
    public void Abort() => _socket?.Dispose();

    public async Task RunAsync()
    {
        while (!_run.Stopping)
        {
            Socket? socket = _socket;
            try
            {
                if (socket is null)
                {
                    socket = NewSocket();
                    using (var connectTimeout = new CancellationTokenSource(_run.Timeout))
                        await socket.ConnectAsync(_run.EndPoint, connectTimeout.Token);
                    _established = true;
                }
                byte[] request = _call.Request;
                byte[] expected = _call.ExpectedReply;
                while (!_run.Stopping)
                {
                    _call.SetSequenceId(++_sequenceId);
                    long start = Stopwatch.GetTimestamp();
                    Volatile.Write(ref _callStart, start);
                    int sent = 0;
                    while (sent < request.Length)
                        sent += await socket.SendAsync(request.AsMemory(sent), SocketFlags.None);
                    int got = 0;
                    while (got < expected.Length)
                    {
                        int n = await socket.ReceiveAsync(_received.AsMemory(got, expected.Length - got), SocketFlags.None);
                        Check(got, n);
                        got += n;
                    }
                    Completed(start);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or WrongReplyException)
            {
                if (Failed(socket, e))
                    await Task.Delay(ErrorBackoff);
            }
        }
        Close();
    }

    public void RunBlocking()
    {
        while (!_run.Stopping)
        {
            Socket? socket = _socket;
            try
            {
                if (socket is null)
                {
                    socket = NewSocket();
                    // A synchronous connect keeps the socket in blocking mode (an async connect would switch it to
                    // non-blocking for good, and every Send/Receive would then allocate); the watchdog bounds it.
                    Volatile.Write(ref _callStart, Stopwatch.GetTimestamp());
                    socket.Connect(_run.EndPoint);
                    Volatile.Write(ref _callStart, 0);
                    socket.ReceiveTimeout = socket.SendTimeout = (int)Math.Ceiling(_run.Timeout.TotalMilliseconds);
                    _established = true;
                }
                byte[] request = _call.Request;
                byte[] expected = _call.ExpectedReply;
                while (!_run.Stopping)
                {
                    _call.SetSequenceId(++_sequenceId);
                    long start = Stopwatch.GetTimestamp();
                    Volatile.Write(ref _callStart, start);
                    int sent = 0;
                    while (sent < request.Length)
                        sent += socket.Send(request, sent, request.Length - sent, SocketFlags.None);
                    int got = 0;
                    while (got < expected.Length)
                    {
                        int n = socket.Receive(_received, got, expected.Length - got, SocketFlags.None);
                        Check(got, n);
                        got += n;
                    }
                    Completed(start);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or WrongReplyException)
            {
                if (Failed(socket, e))
                    Thread.Sleep(ErrorBackoff);
            }
        }
        Close();
    }

    private Socket NewSocket()
    {
        var socket = new Socket(_run.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _timedOut = false;
        _established = false;
        _socket = socket;
        return socket;
    }

    // Compares the n bytes just received at offset got with the expected reply.
    private void Check(int got, int n)
    {
        if (n == 0)
            throw new WrongReplyException(ErrorKind.Closed, $"the server closed the connection after {got} bytes of the {_call.Method} reply");
        var received = _received.AsSpan(got, n);
        var expected = _call.ExpectedReply.AsSpan(got, n);
        if (!received.SequenceEqual(expected))
        {
            int offset = got + received.CommonPrefixLength(expected);
            throw new WrongReplyException(ErrorKind.WrongReply, _call.DescribeMismatch(_received, offset));
        }
    }

    private void Completed(long start)
    {
        long end = Stopwatch.GetTimestamp();
        Volatile.Write(ref _callStart, 0);
        if (_run.Measuring)
            Histogram.Record((long)((end - start) * NanosecondsPerTick));
        else if (!_run.Stopping)
            WarmupCalls++;
    }

    // Counts the failure unless the run is over, and drops the connection. True when the loop should back off.
    private bool Failed(Socket? socket, Exception e)
    {
        Volatile.Write(ref _callStart, 0);
        socket?.Dispose();
        _socket = null;
        if (_run.Stopping)
            return false;
        ErrorKind kind = e is WrongReplyException wrong ? wrong.Kind
            : !_established ? ErrorKind.Connect
            : _timedOut ? ErrorKind.Timeout
            : e is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock } ? ErrorKind.Timeout
            : ErrorKind.Socket;
        if (_run.Measuring)
            _measuredErrors[(int)kind]++;
        else
            WarmupErrors++;
        _run.ReportError(kind, e.Message);
        return true;
    }

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
    }

    public override string ToString() => $"connection to {_run.EndPoint}";
}

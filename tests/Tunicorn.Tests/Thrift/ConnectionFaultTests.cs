using Thrift;
using Thrift.Protocol;
using Thrift.Transport.Client;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

public sealed class ConnectionFaultTests
{
    [Fact]
    public async Task Classify_CompactStringLengthThatOverflowsToNegative_IsBadInputNotAnUnexpectedError()
    {
        // Compact message header: protocol id, version + type, seqid varint 1, then a name length varint of 2^32-1,
        // which TCompactProtocol hands to Encoding.GetString as -1 (found by tests/fuzz).
        var bytes = Convert.FromHexString("822101FFFFFFFF0F");
        var protocol = new TCompactProtocol(new TMemoryBufferTransport(bytes, new TConfiguration()));
        var error = await Record(() => protocol.ReadMessageBeginAsync(CancellationToken.None).AsTask());

        var fault = ConnectionFault.Classify(error, new TConfiguration(), CancellationToken.None);
        Assert.Equal(ConnectionFaultKind.BadInput, fault.Kind);
        Assert.StartsWith("malformed length or value", fault.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_ArgumentExceptionFromOurOwnCode_StaysUnexpected()
    {
        var fault = ConnectionFault.Classify(new ArgumentException("a bug of ours"), new TConfiguration(), CancellationToken.None);
        Assert.Equal(ConnectionFaultKind.Unexpected, fault.Kind);
    }

    [Fact]
    public void Classify_ReasonQuotingControlCharacters_IsMadePrintable()
    {
        var fault = ConnectionFault.Classify(new TProtocolException(TProtocolException.INVALID_DATA, "Unexpected character: \n[x]"),
            new TConfiguration(), CancellationToken.None);
        Assert.Equal(@"invalid data: Unexpected character: \x0a[x]", fault.Reason);
    }

    private static async Task<Exception> Record(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("no exception");
    }
}

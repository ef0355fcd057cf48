using Tunicorn.Config;
using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.WorkerContract;

/// <summary>The messages of the hand-off channel: what a worker says of a connection reaches the adopting worker unchanged.</summary>
public sealed class HandOffMessageTests
{
    [Fact]
    public void Offer_WithOddPeerNames_RoundTripsAndBecomesAnAdoptionWithoutItsId()
    {
        var offer = new HandOffMessage(HandOffMessageKind.Offer, 42, ThriftProtocolKind.Compact, ThriftTransportKind.Framed,
            "unix:/run/with space\tand tab", "10.0.0.1:5000", "[::1]:9090");

        var decoded = HandOffMessage.TryDecode(offer.Encode());

        Assert.Equal(offer, decoded);
        var adopt = HandOffMessage.TryDecode(offer.ToAdopt().Encode());
        Assert.Equal(offer with { Kind = HandOffMessageKind.Adopt, Id = 0 }, adopt);
    }

    [Fact]
    public void Answers_RoundTripWithTheirReason()
    {
        Assert.Equal(HandOffMessage.Moved(7), HandOffMessage.TryDecode(HandOffMessage.Moved(7).Encode()));
        Assert.Equal(HandOffMessage.Kept(8, "no other worker has room"), HandOffMessage.TryDecode(HandOffMessage.Kept(8, "no other worker has room").Encode()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("offer\t1\tBinary")]
    [InlineData("moved\tx")]
    [InlineData("adopt\t0\tNope\tBuffered\tp\t-\tl")]
    public void Garbage_IsNoMessage(string text) => Assert.Null(HandOffMessage.TryDecode(System.Text.Encoding.UTF8.GetBytes(text)));
}

using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

public sealed class MessageMemoryAccountTests
{
    [Fact]
    public void CollectionOverTheLimit_IsRefusedNamingTheSetting_AndChargesNothing()
    {
        var budget = new MessageMemoryBudget(256L * 1024 * 1024);
        using var account = new MessageMemoryAccount(budget, maxCollectionSize: 1000);

        var error = Assert.Throws<TProtocolException>(() => account.OnList(new TList(TType.Struct, 1001)));
        Assert.Equal(TProtocolException.SIZE_LIMIT, error.GetExceptionType());
        Assert.Contains("a list of 1001 elements exceeds thrift_max_collection_size (1000)", error.Message, StringComparison.Ordinal);
        Assert.Throws<TProtocolException>(() => account.OnSet(new TSet(TType.I32, 1001)));
        Assert.Throws<TProtocolException>(() => account.OnMap(new TMap(TType.I32, TType.I32, 1001)));
        Assert.Equal(0, budget.InFlight);

        account.OnList(new TList(TType.Struct, 1000));
        Assert.True(budget.InFlight > 0);
    }

    [Fact]
    public void StructElements_AreChargedTheirObjects_ValuesTheirSlots()
    {
        var budget = new MessageMemoryBudget(0);
        using var structs = new MessageMemoryAccount(budget, maxCollectionSize: 1_000_000);
        structs.OnList(new TList(TType.Struct, 1_000_000));
        using var ints = new MessageMemoryAccount(budget, maxCollectionSize: 1_000_000);
        ints.OnList(new TList(TType.I32, 1_000_000));

        // An empty struct is 1 byte on the wire and tens in memory; an i32 is 4 and 4.
        Assert.InRange(structs.Charged, 30_000_000, 50_000_000);
        Assert.InRange(ints.Charged, 4_000_000, 4_100_000);
    }

    [Fact]
    public void BudgetExceeded_RefusesTheNextCollection_UntilAnotherMessageReleasesItsShare()
    {
        var budget = new MessageMemoryBudget(64L * 1024 * 1024);
        var first = new MessageMemoryAccount(budget, maxCollectionSize: 1_000_000);
        using var second = new MessageMemoryAccount(budget, maxCollectionSize: 1_000_000);

        first.OnList(new TList(TType.Struct, 1_000_000)); // ~38 MiB
        var error = Assert.Throws<TProtocolException>(() => second.OnList(new TList(TType.Struct, 1_000_000)));
        Assert.Contains("over thrift_message_memory_budget (64 MiB)", error.Message, StringComparison.Ordinal);
        Assert.Equal(first.Charged, budget.InFlight);

        first.Release();
        Assert.Equal(0, budget.InFlight);
        second.OnList(new TList(TType.Struct, 1_000_000));
        Assert.Equal(second.Charged, budget.InFlight);
    }

    [Fact]
    public void NegativeCount_IsLeftToTheProtocol_AndChargesNothing()
    {
        var budget = new MessageMemoryBudget(1024);
        using var account = new MessageMemoryAccount(budget, maxCollectionSize: 10);
        account.OnList(new TList(TType.I32, -1));
        Assert.Equal(0, budget.InFlight);
    }
}

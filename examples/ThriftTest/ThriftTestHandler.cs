using ThriftTest;
using global::Thrift;

namespace Tunicorn.Examples.ThriftTest;

/// <summary>
/// The ThriftTest service with the reference semantics of Apache Thrift's own cross-language test servers
/// (test/py/TestServer.py, test/netstd/Server/TestServer.cs), so that every Thrift client's test suite passes
/// against it: each <c>test*</c> method echoes its argument, and the few that do not are documented below.
/// </summary>
public sealed class ThriftTestHandler : global::ThriftTest.ThriftTest.IAsync
{
    public Task testVoid(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<string> testString(string? thing, CancellationToken cancellationToken = default) => Task.FromResult(thing ?? "");

    public Task<bool> testBool(bool thing, CancellationToken cancellationToken = default) => Task.FromResult(thing);

    public Task<sbyte> testByte(sbyte thing, CancellationToken cancellationToken = default) => Task.FromResult(thing);

    public Task<int> testI32(int thing, CancellationToken cancellationToken = default) => Task.FromResult(thing);

    public Task<long> testI64(long thing, CancellationToken cancellationToken = default) => Task.FromResult(thing);

    public Task<double> testDouble(double thing, CancellationToken cancellationToken = default) => Task.FromResult(thing);

    public Task<byte[]> testBinary(byte[]? thing, CancellationToken cancellationToken = default) => Task.FromResult(thing ?? []);

    public Task<Xtruct> testStruct(Xtruct? thing, CancellationToken cancellationToken = default) => Task.FromResult(thing ?? new Xtruct());

    public Task<Xtruct2> testNest(Xtruct2? thing, CancellationToken cancellationToken = default) => Task.FromResult(thing ?? new Xtruct2());

    public Task<Dictionary<int, int>> testMap(Dictionary<int, int>? thing, CancellationToken cancellationToken = default) =>
        Task.FromResult(thing ?? []);

    public Task<Dictionary<string, string>> testStringMap(Dictionary<string, string>? thing, CancellationToken cancellationToken = default) =>
        Task.FromResult(thing ?? []);

    public Task<HashSet<int>> testSet(HashSet<int>? thing, CancellationToken cancellationToken = default) => Task.FromResult(thing ?? []);

    public Task<List<int>> testList(List<int>? thing, CancellationToken cancellationToken = default) => Task.FromResult(thing ?? []);

    public Task<Numberz> testEnum(Numberz thing, CancellationToken cancellationToken = default) => Task.FromResult(thing);

    public Task<long> testTypedef(long thing, CancellationToken cancellationToken = default) => Task.FromResult(thing);

    /// <summary>The reference answer whatever the argument: {-4 => {-4 => -4 … -1 => -1}, 4 => {1 => 1 … 4 => 4}}.</summary>
    public Task<Dictionary<int, Dictionary<int, int>>> testMapMap(int hello, CancellationToken cancellationToken = default)
    {
        var negative = new Dictionary<int, int>();
        var positive = new Dictionary<int, int>();
        for (int i = 1; i <= 4; i++)
        {
            negative[-i] = -i;
            positive[i] = i;
        }
        return Task.FromResult(new Dictionary<int, Dictionary<int, int>> { [-4] = negative, [4] = positive });
    }

    /// <summary>The reference answer: {1 => {TWO => argument, THREE => argument}, 2 => {SIX => an empty Insanity}}.</summary>
    public Task<Dictionary<long, Dictionary<Numberz, Insanity>>> testInsanity(Insanity? argument, CancellationToken cancellationToken = default)
    {
        Insanity echoed = argument ?? new Insanity();
        return Task.FromResult(new Dictionary<long, Dictionary<Numberz, Insanity>>
        {
            [1] = new() { [Numberz.TWO] = echoed, [Numberz.THREE] = echoed },
            [2] = new() { [Numberz.SIX] = new Insanity() },
        });
    }

    /// <summary>Answers Xtruct("Hello2", arg0, arg1, arg2); the other arguments are only read.</summary>
    public Task<Xtruct> testMulti(sbyte arg0, int arg1, long arg2, Dictionary<short, string>? arg3, Numberz arg4, long arg5,
        CancellationToken cancellationToken = default) =>
        Task.FromResult(new Xtruct { String_thing = "Hello2", Byte_thing = arg0, I32_thing = arg1, I64_thing = arg2 });

    /// <summary>"Xception" raises Xception(1001, arg); "TException" raises a TException (an undeclared exception, so
    /// the client gets a TApplicationException); anything else returns.</summary>
    public Task testException(string? arg, CancellationToken cancellationToken = default) => arg switch
    {
        "Xception" => throw new Xception { ErrorCode = 1001, Message = arg },
        "TException" => throw new TException("This is a TException", null),
        _ => Task.CompletedTask,
    };

    /// <summary>"Xception" raises Xception(1001, "This is an Xception"); "Xception2" raises Xception2(2002, Xtruct("This is an
    /// Xception2")); anything else answers Xtruct(arg1).</summary>
    public Task<Xtruct> testMultiException(string? arg0, string? arg1, CancellationToken cancellationToken = default) => arg0 switch
    {
        "Xception" => throw new Xception { ErrorCode = 1001, Message = "This is an Xception" },
        "Xception2" => throw new Xception2 { ErrorCode = 2002, Struct_thing = new Xtruct { String_thing = "This is an Xception2" } },
        _ => Task.FromResult(new Xtruct { String_thing = arg1 }),
    };

    /// <summary>Oneway: sleeps, and no reply is sent whatever happens.</summary>
    public Task testOneway(int secondsToSleep, CancellationToken cancellationToken = default) =>
        Task.Delay(TimeSpan.FromSeconds(Math.Max(0, secondsToSleep)), cancellationToken);
}

using System.Diagnostics;
using System.Text.Json;
using Thrift;
using ThriftTest;
using Tunicorn.IntegrationTests.Harness;
using Xunit;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// Every ThriftTest method with the reference answers of Apache Thrift's cross-language tests (test/netstd/Client,
/// test/py/TestClient.py), checked from C#; and the checks of thrifttest_client.py's JSON report.
/// </summary>
internal static class ThriftTestChecks
{
    public const string PythonScript = "thrifttest_client.py";

    /// <summary>Calls every method once or more and asserts each answer; returns the number of calls made.</summary>
    public static async Task<int> RunAsync(ThriftTest.ThriftTest.Client client)
    {
        int calls = 0;
        async Task Equal<T>(T expected, Task<T> actual)
        {
            calls++;
            Assert.Equal(expected, await actual);
        }

        await client.testVoid();
        calls++;
        await Equal("C#", client.testString("C#"));
        await Equal("", client.testString(""));
        await Equal("Ωμέγα ✓ 漢字", client.testString("Ωμέγα ✓ 漢字"));
        await Equal(true, client.testBool(true));
        await Equal(false, client.testBool(false));
        await Equal((sbyte)63, client.testByte(63));
        await Equal((sbyte)-127, client.testByte(-127));
        await Equal(-1, client.testI32(-1));
        await Equal(int.MaxValue, client.testI32(int.MaxValue));
        await Equal(-34359738368L, client.testI64(-34359738368L));
        await Equal(long.MinValue, client.testI64(long.MinValue));
        await Equal(-5.235098235, client.testDouble(-5.235098235));
        await Equal(-5.25e-302, client.testDouble(-5.25e-302));
        byte[] binary = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await Equal(binary, client.testBinary(binary));
        await Equal(Array.Empty<byte>(), client.testBinary([]));

        var xtruct = new Xtruct { String_thing = "Zero", Byte_thing = 1, I32_thing = -3, I64_thing = -5 };
        await Equal(xtruct, client.testStruct(xtruct));
        var nest = new Xtruct2 { Byte_thing = 1, Struct_thing = xtruct, I32_thing = 5 };
        await Equal(nest, client.testNest(nest));
        var map = new Dictionary<int, int> { [0] = 1, [1] = 2, [2] = 3, [-1] = -2 };
        await Equal(map, client.testMap(map));
        var stringMap = new Dictionary<string, string> { ["a"] = "2", ["some"] = "thing", [""] = "" };
        await Equal(stringMap, client.testStringMap(stringMap));
        calls++;
        Assert.True(new HashSet<int> { 1, 2, 3, -4 }.SetEquals(await client.testSet([1, 2, 3, -4])));
        await Equal([1, 2, 3, 4, 5, -6], client.testList([1, 2, 3, 4, 5, -6]));
        await Equal([], client.testList([]));
        await Equal(Numberz.FIVE, client.testEnum(Numberz.FIVE));
        await Equal(Numberz.EIGHT, client.testEnum(Numberz.EIGHT));
        await Equal(309858235082523L, client.testTypedef(309858235082523L));

        var mapMap = await client.testMapMap(1);
        calls++;
        Assert.Equal(new Dictionary<int, int> { [-4] = -4, [-3] = -3, [-2] = -2, [-1] = -1 }, mapMap[-4]);
        Assert.Equal(new Dictionary<int, int> { [1] = 1, [2] = 2, [3] = 3, [4] = 4 }, mapMap[4]);
        Assert.Equal(2, mapMap.Count);

        var argument = new Insanity
        {
            UserMap = new() { [Numberz.FIVE] = 5, [Numberz.EIGHT] = 8 },
            Xtructs = [new Xtruct { String_thing = "Goodbye4", Byte_thing = 4, I32_thing = 4, I64_thing = 4 }],
        };
        var insanity = await client.testInsanity(argument);
        calls++;
        Assert.Equal(2, insanity.Count);
        Assert.Equal(argument, insanity[1][Numberz.TWO]);
        Assert.Equal(argument, insanity[1][Numberz.THREE]);
        Assert.Equal(new Insanity(), insanity[2][Numberz.SIX]);

        await Equal(new Xtruct { String_thing = "Hello2", Byte_thing = 1, I32_thing = 2, I64_thing = 3 },
            client.testMulti(1, 2, 3, new() { [1] = "one" }, Numberz.FIVE, 5));

        calls += 6;
        var xception = await Assert.ThrowsAsync<Xception>(() => client.testException("Xception"));
        Assert.Equal((1001, "Xception"), (xception.ErrorCode, xception.Message));
        // An undeclared exception in the handler reaches the client as a TApplicationException.
        await Assert.ThrowsAsync<TApplicationException>(() => client.testException("TException"));
        await client.testException("success");
        xception = await Assert.ThrowsAsync<Xception>(() => client.testMultiException("Xception", "test 1"));
        Assert.Equal((1001, "This is an Xception"), (xception.ErrorCode, xception.Message));
        var xception2 = await Assert.ThrowsAsync<Xception2>(() => client.testMultiException("Xception2", "test 2"));
        Assert.Equal((2002, "This is an Xception2"), (xception2.ErrorCode, xception2.Struct_thing?.String_thing));
        await Equal(new Xtruct { String_thing = "test 3" }, client.testMultiException("success", "test 3"));

        // Oneway: returns once sent although the server sleeps; the call after it shows the stream is still in step.
        var sent = Stopwatch.StartNew();
        await client.testOneway(1);
        calls++;
        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(0.9), $"testOneway took {sent.Elapsed.TotalSeconds:0.00}s to return");
        await Equal(-1, client.testI32(-1));
        return calls;
    }

    /// <summary>Asserts that thrifttest_client.py passed every cell it was given; returns the number of cells.</summary>
    public static int AssertPythonPassed(PythonResult result, IReadOnlyCollection<string> cells)
    {
        JsonElement json;
        try
        {
            json = result.Json;
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            throw new Xunit.Sdk.XunitException($"thrifttest_client.py printed no report: {result}");
        }
        var failed = new List<string>();
        foreach (string cell in cells)
        {
            if (!json.GetProperty("cells").TryGetProperty(cell, out var report))
                failed.Add($"{cell}: no report");
            else if (!report.GetProperty("ok").GetBoolean() || report.GetProperty("calls").GetInt32() < 30)
                failed.Add($"{cell}: {report}");
        }
        Assert.True(failed.Count == 0 && result.ExitCode == 0, $"Python cells failed:{Environment.NewLine}{string.Join(Environment.NewLine, failed)}{Environment.NewLine}{result}");
        return cells.Count;
    }
}

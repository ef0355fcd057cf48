using System.Text.Json;
using shared;
using tutorial;
using Xunit;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>The Apache Thrift tutorial's calls and answers, checked from C# and from the Python client's JSON.</summary>
internal static class CalculatorChecks
{
    /// <summary>ping, add, calculate (with InvalidOperation on divide by zero), zip (oneway) and getStruct.</summary>
    public static async Task RunAsync(Calculator.Client client)
    {
        await client.ping();
        Assert.Equal(2, await client.add(1, 1));
        Assert.Equal(-2, await client.add(-5, 3));
        Assert.Equal(5, await client.calculate(1, new Work { Num1 = 15, Num2 = 10, Op = Operation.SUBTRACT }));
        Assert.Equal(42, await client.calculate(2, new Work { Num1 = 6, Num2 = 7, Op = Operation.MULTIPLY }));

        var error = await Assert.ThrowsAsync<InvalidOperation>(() => client.calculate(3, new Work { Num1 = 1, Num2 = 0, Op = Operation.DIVIDE }));
        Assert.Equal((int)Operation.DIVIDE, error.WhatOp);
        Assert.False(string.IsNullOrEmpty(error.Why));

        // Oneway: nothing comes back; the ping after it shows the connection is still in step.
        await client.zip();
        await client.ping();

        // The tutorial server logs each calculate under its logid; this connection stays on one worker.
        SharedStruct logged = await client.getStruct(1);
        Assert.Equal(1, logged.Key);
        Assert.Equal("5", logged.Value);
    }

    /// <summary>Asserts that calculator_client.py saw every answer right.</summary>
    public static void AssertPythonClientPassed(PythonResult result)
    {
        Assert.True(result.ExitCode == 0, $"calculator_client.py failed: {result}");
        JsonElement json = result.Json;
        Assert.True(json.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal(0, json.GetProperty("errors").GetArrayLength());
        Assert.Equal(5, json.GetProperty("results").GetProperty("calculate_subtract").GetInt32());
        Assert.Equal(4, json.GetProperty("results").GetProperty("calculate_divide_by_zero").GetProperty("whatOp").GetInt32());
        Assert.Equal("5", json.GetProperty("results").GetProperty("getStruct").GetProperty("value").GetString());
    }
}

using System.Text;
using Tunicorn.Admin;

namespace Tunicorn.Tests.Admin;

public sealed class AdminRequestHeadTests
{
    private static (AdminRequestHead? Head, int Status, string Reason) Parse(string head)
    {
        var parsed = AdminRequestHead.Parse(Encoding.ASCII.GetBytes(head), out int status, out string reason);
        return (parsed, status, reason);
    }

    [Fact]
    public void AScrapersRequest_IsParsed_WithoutItsQuery()
    {
        var (head, _, _) = Parse("GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9191\r\nAccept: text/plain\r\nAccept: */*");
        Assert.NotNull(head);
        Assert.Equal("/metrics", head.Path);
        Assert.Equal("text/plain, */*", head.Header("accept"));
    }

    [Theory]
    [InlineData("GET /metrics HTTP/1.1", 400, "Host")]
    [InlineData("GET /metrics HTTP/2.0\r\nHost: x", 505, "not supported")]
    [InlineData("GET metrics HTTP/1.1\r\nHost: x", 400, "origin-form")]
    [InlineData("GET  /metrics HTTP/1.1\r\nHost: x", 400, "request line")]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: x\r\n folded", 400, "folding")]
    [InlineData("GET /metrics HTTP/1.1\r\nHost : x", 400, "NAME: VALUE")]
    [InlineData("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5", 400, "body")]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: x\u0001", 400, "control")]
    [InlineData("GET /metrics SPDY/3\r\nHost: x", 400, "HTTP/1.x")]
    public void WhatIsNotAPlainHttp1Request_IsRefusedWithItsStatus(string head, int status, string reasonPart)
    {
        var (parsed, actualStatus, reason) = Parse(head);
        Assert.Null(parsed);
        Assert.Equal(status, actualStatus);
        Assert.Contains(reasonPart, reason);
    }

    [Fact]
    public void TooManyHeaderFields_Is431()
    {
        string head = "GET / HTTP/1.1\r\nHost: x" + string.Concat(Enumerable.Range(0, AdminRequestHead.MaxHeaders).Select(i => $"\r\nX-{i}: y"));
        var (parsed, status, _) = Parse(head);
        Assert.Null(parsed);
        Assert.Equal(431, status);
    }
}

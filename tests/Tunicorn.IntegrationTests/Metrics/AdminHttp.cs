using System.Net.Sockets;
using System.Text;

namespace Tunicorn.IntegrationTests.Metrics;

/// <summary>Talks to the admin endpoint: through HttpClient like any client, and over a raw socket for requests no client would send.</summary>
internal static class AdminHttp
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static async Task<(int Status, string ContentType, string Body)> GetAsync(string address, string path, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{address}{path}");
        if (accept is not null)
            request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Sends <paramref name="request"/> as it is and returns the whole answer (the server closes after it).</summary>
    public static async Task<string> RawAsync(string address, string request)
    {
        int colon = address.LastIndexOf(':');
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..]));
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        var answer = new MemoryStream();
        byte[] buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, timeout.Token);
            }
            catch (SocketException)
            {
                break; // reset after the answer: what arrived is the answer
            }
            if (read == 0)
                break;
            answer.Write(buffer, 0, read);
        }
        return Encoding.ASCII.GetString(answer.ToArray());
    }
}

using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Provision.Functions;

namespace Provision.MicroBench;

/// <summary>
/// A getCerts-sized answer (a PEM certificate and an encrypted-key-sized PEM key, ~3.5 KB) written as a device
/// answer: serialized into a buffer and sent with Content-Length. The baseline only serializes.
/// </summary>
[MemoryDiagnoser]
public class AnswerBenchmarks
{
    private static readonly string Pem = string.Concat(Enumerable.Repeat("MIIDWTCCAkGgAwIBAgIUc2VjcmV0LW5vdC1yZWFsLWJ1dC1sb25nLWVub3VnaA==\n", 20));

    private readonly object _answer = new
    {
        accountId = "123456789012",
        certificate = $"-----BEGIN CERTIFICATE-----\n{Pem}-----END CERTIFICATE-----\n",
        endpoint = "a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com",
        id = "DEV0000000001",
        key = $"-----BEGIN RSA PRIVATE KEY-----\n{Pem}{Pem}-----END RSA PRIVATE KEY-----\n",
        port = 443,
        thing = "DEV0000000001",
        region = "us-east-1",
        cloudType = "dedicated",
        cloudName = "provision",
        cloudRegion = "us-east-1",
    };

    private readonly DefaultHttpContext _context = new();
    private readonly MemoryStream _body = new(capacity: 16 * 1024);

    [GlobalSetup]
    public void Setup() => _context.Response.Body = _body;

    [Benchmark(Baseline = true)]
    public int Serialize() => JsonSerializer.SerializeToUtf8Bytes(_answer, DeviceJson.Options).Length;

    [Benchmark]
    public async Task<long> WriteAnswer()
    {
        _body.Position = 0;
        await DeviceJson.Ok(_answer).ExecuteAsync(_context);
        return _body.Position;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Provision.Functions;

/// <summary>
/// The one writer of device answers: the body is serialized first and sent with Content-Length (the C
/// updater refuses chunked answers), and JSON is written without HTML-safe escaping (&amp;, +, &lt;, &gt;
/// and ' stay themselves: the C updater does not unescape, and a signed URL must survive).
/// </summary>
public static class DeviceJson
{
    /// <summary>Absent fields are left out (e.g. getCerts' key when a CSR was used), never sent as null.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A 200 JSON answer.</summary>
    public static IResult Ok(object body) => Json(StatusCodes.Status200OK, body);

    public static IResult Json(int status, object body, int? retryAfterSeconds = null) =>
        new BufferedAnswer(status, JsonSerializer.SerializeToUtf8Bytes(body, Options), "application/json; charset=utf-8", retryAfterSeconds);

    /// <summary>A plain-text answer, e.g. the Ioto agent's exact <c>Authentication failed</c>.</summary>
    public static IResult Text(int status, string text) =>
        new BufferedAnswer(status, Encoding.UTF8.GetBytes(text), "text/plain; charset=utf-8", null);

    private sealed class BufferedAnswer(int status, byte[] body, string contentType, int? retryAfterSeconds) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = contentType;
            response.ContentLength = body.Length;
            if (retryAfterSeconds is { } seconds)
            {
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }
            return response.Body.WriteAsync(body, 0, body.Length, httpContext.RequestAborted);
        }
    }
}

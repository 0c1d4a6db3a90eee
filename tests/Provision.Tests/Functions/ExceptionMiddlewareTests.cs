using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using Provision.Core;
using Provision.Functions.Middleware;

namespace Provision.Tests.Functions;

public class ExceptionMiddlewareTests
{
    [Fact]
    public async Task Invoke_HttpTriggerThrowsValidation_Writes400WithError()
    {
        var (context, http) = HttpFunctionContext();

        await new ExceptionMiddleware(NullLogger<ExceptionMiddleware>.Instance)
            .Invoke(context, _ => throw new ValidationException("\"id\" is required."));

        Assert.Equal(StatusCodes.Status400BadRequest, http.Response.StatusCode);
        Assert.Equal("\"id\" is required.", Body(http).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Invoke_HttpTriggerThrowsUnexpected_Writes500WithoutDetails()
    {
        var (context, http) = HttpFunctionContext();

        await new ExceptionMiddleware(NullLogger<ExceptionMiddleware>.Instance)
            .Invoke(context, _ => throw new InvalidOperationException("secret internal detail"));

        Assert.Equal(StatusCodes.Status500InternalServerError, http.Response.StatusCode);
        var text = Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray());
        Assert.DoesNotContain("secret internal detail", text);
        Assert.DoesNotContain("at Provision", text);
        Assert.StartsWith("Internal error", Body(http).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Invoke_QueueTriggerThrows_Rethrows()
    {
        var context = Substitute.For<FunctionContext>();
        context.Items.Returns(new Dictionary<object, object>());

        await Assert.ThrowsAsync<StorageUnavailableException>(() => new ExceptionMiddleware(NullLogger<ExceptionMiddleware>.Instance)
            .Invoke(context, _ => throw new StorageUnavailableException("down")));
    }

    private static (FunctionContext Context, HttpContext Http) HttpFunctionContext()
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        http.Response.Body = new MemoryStream();
        var context = Substitute.For<FunctionContext>();
        // Where the ASP.NET Core integration keeps the invocation's HttpContext.
        context.Items.Returns(new Dictionary<object, object> { ["HttpRequestContext"] = http });
        var definition = Substitute.For<FunctionDefinition>();
        definition.Name.Returns("Checkin");
        context.FunctionDefinition.Returns(definition);
        return (context, http);
    }

    private static JsonElement Body(HttpContext http) =>
        JsonDocument.Parse(((MemoryStream)http.Response.Body).ToArray()).RootElement.Clone();
}

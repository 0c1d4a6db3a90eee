using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Provision.Functions.Middleware;

/// <summary>
/// Turns exceptions of HTTP triggers into the API's error answers, so no caller ever sees a stack trace.
/// Other triggers rethrow: the queue host's retries and poison queue depend on it.
/// </summary>
public sealed class ExceptionMiddleware(ILogger<ExceptionMiddleware> log) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.GetHttpContext() is { Response.HasStarted: false } http)
        {
            var result = ErrorResults.From(e, DeviceDialects.Of(http.Request));
            var status = (result as IStatusCodeHttpResult)?.StatusCode ?? 500;
            if (status >= 500)
            {
                log.LogError(e, "{Function} failed with {Status}", context.FunctionDefinition.Name, status);
            }
            else
            {
                log.LogInformation("{Function} refused a request with {Status}", context.FunctionDefinition.Name, status);
            }
            http.Response.Clear();
            await result.ExecuteAsync(http);
        }
    }
}

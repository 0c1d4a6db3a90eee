using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Provision.Core.Admin;
using Provision.Functions.Middleware;

namespace Provision.Functions.Manage;

/// <summary>
/// Every management call passes here: the caller must present an admin key, and any failure becomes a problem-details answer.
/// </summary>
public sealed class ManageGate(IAdminAuthenticator authenticator, IAuditLog audit, ILogger<ManageGate> log)
{
    public Task<IResult> RunAsync(HttpRequest request, Func<AdminCaller, Task<IResult>> call, CancellationToken cancellationToken) =>
        RunAsync(request, subject: null, action: null, call, cancellationToken);

    /// <summary>A change: when it succeeds, the audit log records <paramref name="action"/> on <paramref name="subject"/> by the caller's key.</summary>
    public async Task<IResult> RunAsync(
        HttpRequest request, string? subject, string? action, Func<AdminCaller, Task<IResult>> call, CancellationToken cancellationToken)
    {
        try
        {
            var caller = await authenticator.AuthenticateAsync(request.Headers.Authorization.ToString(), cancellationToken);
            var result = await call(caller);
            log.LogInformation("Admin key {KeyId}: {Method} {Path}", caller.KeyId, request.Method, request.Path.Value);
            if (subject is not null && action is not null && ((result as IStatusCodeHttpResult)?.StatusCode ?? 200) < 400)
            {
                await audit.RecordAsync(subject, action, caller.KeyId, cancellationToken);
            }
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var result = ProblemResults.From(e);
            var status = ((IStatusCodeHttpResult)result).StatusCode ?? 500;
            if (status >= 500)
            {
                log.LogError(e, "{Method} {Path} failed with {Status}", request.Method, request.Path.Value, status);
            }
            else
            {
                log.LogInformation("{Method} {Path} refused with {Status}: {Reason}", request.Method, request.Path.Value, status, e.Message);
            }
            return result;
        }
    }
}

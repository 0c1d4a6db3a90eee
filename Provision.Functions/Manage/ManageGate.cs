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
    /// <summary>A call that needs the <c>admin</c> scope.</summary>
    public Task<IResult> RunAsync(HttpRequest request, Func<AdminCaller, Task<IResult>> call, CancellationToken cancellationToken) =>
        RunAsync(request, AdminScopes.Admin, subject: null, action: null, call, cancellationToken);

    /// <summary>A change that needs the <c>admin</c> scope, audited as <paramref name="action"/> on <paramref name="subject"/>.</summary>
    public Task<IResult> RunAsync(
        HttpRequest request, string? subject, string? action, Func<AdminCaller, Task<IResult>> call, CancellationToken cancellationToken) =>
        RunAsync(request, AdminScopes.Admin, subject, action, call, cancellationToken);

    /// <summary>A call that needs <paramref name="scope"/> (<see cref="AdminScopes"/>).</summary>
    public Task<IResult> RunAsync(HttpRequest request, string scope, Func<AdminCaller, Task<IResult>> call, CancellationToken cancellationToken) =>
        RunAsync(request, scope, subject: null, action: null, call, cancellationToken);

    /// <summary>A change that needs <paramref name="scope"/>: when it succeeds, the audit log records <paramref name="action"/> on <paramref name="subject"/> by the caller's key.</summary>
    public Task<IResult> RunAsync(
        HttpRequest request, string scope, string? subject, string? action, Func<AdminCaller, Task<IResult>> call, CancellationToken cancellationToken) =>
        RunCreatingAsync(request, scope, action, async caller => (await call(caller), subject), cancellationToken);

    /// <summary>A change whose audit subject is known only once it is done (something it creates, named by its new id).</summary>
    public async Task<IResult> RunCreatingAsync(
        HttpRequest request, string scope, string? action, Func<AdminCaller, Task<(IResult Result, string? Subject)>> call, CancellationToken cancellationToken)
    {
        try
        {
            var caller = await authenticator.AuthenticateAsync(request.Headers.Authorization.ToString(), cancellationToken);
            caller.Require(scope);
            var (result, subject) = await call(caller);
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

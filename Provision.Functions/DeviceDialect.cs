using Microsoft.AspNetCore.Http;

namespace Provision.Functions;

/// <summary>
/// How a device route answers when the device must wait or is not known. The Ioto agent's routes
/// (<c>/tok/...</c>, <c>/device/...</c>) answer a wait as 200 <c>{"error","delay"}</c> (the agent parses only
/// 200 answers) and an unknown token as 401 with the plain text <c>Authentication failed</c>; the
/// <c>/provision/...</c> routes answer with HTTP statuses, <c>{"error"}</c> and Retry-After.
/// </summary>
public enum DeviceDialect { Provision, Agent }

public static class DeviceDialects
{
    public static DeviceDialect Of(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        return path.StartsWith("/tok/", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/device/", StringComparison.OrdinalIgnoreCase)
            ? DeviceDialect.Agent
            : DeviceDialect.Provision;
    }
}

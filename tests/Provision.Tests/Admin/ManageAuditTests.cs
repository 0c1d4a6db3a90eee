using Microsoft.AspNetCore.Http;
using Provision.Core.Admin;

namespace Provision.Tests.Admin;

public class ManageAuditTests : ManageTestBase
{
    [Fact]
    public async Task DeviceChanges_RecordedWithActingKey_NewestFirst()
    {
        var (productId, _) = await CreateProductAsync();
        var (deviceId, _) = await CreateDeviceAsync(productId);
        var keyResponse = await Run(Keys.CreateAdminKey(Post("""{"name":"ops","scopes":["devices"]}"""), CancellationToken.None));
        var opsKey = "Bearer " + keyResponse.Json.GetProperty("key").GetString();
        var opsKeyId = keyResponse.Json.GetProperty("id").GetString();

        await Run(Devices.ClaimDevice(Post("""{"accountId":"ACME"}"""), deviceId, CancellationToken.None));
        await Run(Devices.RotateDeviceToken(Post(authorization: opsKey), deviceId, CancellationToken.None));
        var audit = await Run(Devices.DeviceAudit(Get(), deviceId, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, audit.Status);
        var entries = audit.Json.EnumerateArray().ToList();
        Assert.Equal(["rotate token", "claim"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal([opsKeyId, AdminKeyService.BootstrapKeyId], entries.Select(e => e.GetProperty("actor").GetString()));
        Assert.All(entries, e => Assert.Equal($"device:{deviceId}", e.GetProperty("subject").GetString()));
    }

    [Fact]
    public async Task RefusedChange_NotRecorded()
    {
        var (productId, _) = await CreateProductAsync();
        var (deviceId, _) = await CreateDeviceAsync(productId);

        var refused = await Run(Devices.RetryDevice(Post(), deviceId, CancellationToken.None));
        var audit = await Run(Devices.DeviceAudit(Get(), deviceId, CancellationToken.None));

        Assert.Equal(StatusCodes.Status400BadRequest, refused.Status);
        Assert.Empty(audit.Json.EnumerateArray());
    }

    [Fact]
    public async Task ReleaseChanges_RecordedUnderTheProduct()
    {
        var (productId, _) = await CreateProductAsync();
        var created = await Run(Releases.CreateRelease(
            Post($$"""{"version":"1.0.0","url":"https://example.com/1.bin","checksum":"{{Checksum}}"}"""), productId, CancellationToken.None));
        var releaseId = created.Json.GetProperty("id").GetString()!;
        await Run(Releases.DisableRelease(Post(), productId, releaseId, CancellationToken.None));

        var audit = await Run(Products.ProductAudit(Get(), productId, CancellationToken.None));

        Assert.Equal([$"disable release {releaseId}", "create release", "create product"], audit.Json.EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task Audit_WithoutAdminKey_Returns401()
    {
        var audit = await Run(Devices.DeviceAudit(Get(authorization: null), "D1", CancellationToken.None));

        Assert.Equal(StatusCodes.Status401Unauthorized, audit.Status);
    }
}

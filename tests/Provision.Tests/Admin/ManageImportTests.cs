using Microsoft.AspNetCore.Http;
using Provision.Core.Devices;

namespace Provision.Tests.Admin;

public class ManageImportTests : ManageTestBase
{
    private Task<Infrastructure.HttpResponseSnapshot> Import(string productId, string body, string contentType) =>
        Run(Devices.ImportDevices(Post(body, contentType: contentType), productId, CancellationToken.None));

    private async Task<List<string>> StoredIds(string productId) =>
        (await DeviceStore.ListByProductAsync(productId, 1000, null)).Items.Select(d => d.Id).Order().ToList();

    [Fact]
    public async Task ImportDevices_ValidCsv_CreatesEveryDeviceWithItsToken()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Import(productId, "id,name\nCSV-A,first\n\"CSV-B\",second\n", "text/csv");

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal(2, response.Json.GetProperty("created").GetInt32());
        var devices = response.Json.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal([2, 3], devices.Select(d => d.GetProperty("line").GetInt32()));
        Assert.All(devices, d => Assert.False(string.IsNullOrEmpty(d.GetProperty("token").GetString())));
        Assert.Equal(["CSV-A", "CSV-B"], await StoredIds(productId));
    }

    [Fact]
    public async Task ImportDevices_CsvWithBadRows_ReportsEachBadLineAndWritesOnlyValidRows()
    {
        var (productId, _) = await CreateProductAsync();
        await CreateDeviceAsync(productId, "EXISTING");

        var csv = "id\r\nGOOD-1\r\nbad id\r\nGOOD-1\r\n\r\nEXISTING\r\n,\r\nGOOD-2\r\n";
        var response = await Import(productId, csv, "text/csv; charset=utf-8");

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal(2, response.Json.GetProperty("created").GetInt32());
        var errors = response.Json.GetProperty("errors").EnumerateArray()
            .Select(e => (Line: e.GetProperty("line").GetInt32(), Error: e.GetProperty("error").GetString()!)).ToList();
        Assert.Equal([3, 4, 6, 7], errors.Select(e => e.Line));
        Assert.Contains("device id must be", errors[0].Error);
        Assert.Equal("Duplicate of line 2.", errors[1].Error);
        Assert.Contains("already exists", errors[2].Error);
        Assert.Contains("fields", errors[3].Error);
        Assert.Equal(["EXISTING", "GOOD-1", "GOOD-2"], await StoredIds(productId));
    }

    [Fact]
    public async Task ImportDevices_WildcardOrReservedIds_AreReportedNotWritten()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Import(productId, "id\nGOOD-1\n+\nall\n$SYS\nshadow\n", "text/csv");

        var errors = response.Json.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()).ToList();
        Assert.Equal([3, 4, 5, 6], errors);
        Assert.All(response.Json.GetProperty("errors").EnumerateArray(), e => Assert.Contains("not a reserved word", e.GetProperty("error").GetString()));
        Assert.Equal(["GOOD-1"], await StoredIds(productId));
    }

    [Fact]
    public async Task ImportDevices_CsvWithoutIdColumn_Returns400AndWritesNothing()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Import(productId, "serial\nX1\n", "text/csv");

        AssertProblem(response, StatusCodes.Status400BadRequest, "\"id\" column");
        Assert.Empty(await StoredIds(productId));
    }

    [Fact]
    public async Task ImportDevices_ValidJson_CreatesDevicesReportedByIndex()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Import(productId, """[{"id":"JSON-A"},"JSON-B"]""", "application/json");

        var devices = response.Json.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal([0, 1], devices.Select(d => d.GetProperty("index").GetInt32()));
        Assert.Equal(["JSON-A", "JSON-B"], await StoredIds(productId));
    }

    [Fact]
    public async Task ImportDevices_JsonWithBadEntries_ReportsEachByIndex()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Import(productId, """[{"id":"OK-1"},{"id":5},{},{"id":"OK-1"},42]""", "application/json");

        var errors = response.Json.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3, 4], errors.Select(e => e.GetProperty("index").GetInt32()));
        Assert.Equal("Duplicate of index 0.", errors[2].GetProperty("error").GetString());
        Assert.Equal(["OK-1"], await StoredIds(productId));
    }

    [Fact]
    public async Task ImportDevices_MalformedJson_Returns400AndWritesNothing()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Import(productId, """[{"id":"X-1"},""", "application/json");

        AssertProblem(response, StatusCodes.Status400BadRequest, "not valid JSON");
        Assert.Empty(await StoredIds(productId));
    }

    [Fact]
    public async Task ImportDevices_UnknownProduct_Returns404AndWritesNothing()
    {
        var response = await Import("NoSuchProduct", "id\nLOST-1\n", "text/csv");

        AssertProblem(response, StatusCodes.Status404NotFound, "Product NoSuchProduct does not exist");
        Assert.Null(await DeviceStore.GetAsync("LOST-1"));
    }

    [Fact]
    public async Task ImportDevices_UnsupportedMediaType_Returns415()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Import(productId, "X-1", "text/plain");

        AssertProblem(response, StatusCodes.Status415UnsupportedMediaType, "text/csv");
        Assert.Empty(await StoredIds(productId));
    }

    [Fact]
    public async Task ImportDevices_ImportedDevice_IsRegistered()
    {
        var (productId, _) = await CreateProductAsync();

        await Import(productId, "id\nREG-1\n", "text/csv");

        Assert.Equal(DeviceState.Registered, (await DeviceStore.GetAsync("REG-1"))!.State);
    }
}

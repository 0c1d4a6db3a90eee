using System.Text.Json;
using System.Text.Json.Serialization;

namespace Provision.Functions;

public static class DeviceJson
{
    /// <summary>Absent fields are left out (e.g. getCerts' key when a CSR was used), never sent as null.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

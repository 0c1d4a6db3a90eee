namespace Provision.Functions.Manage;

public static class ManageRoutes
{
    /// <summary>
    /// The management API's routes start here. Not "admin/": the Functions host reserves routes starting with
    /// "admin" (and "runtime") for its own API and refuses functions that use them.
    /// </summary>
    public const string Prefix = "manage/";
}

using System.ComponentModel.DataAnnotations;

namespace Provision.Core.Aws;

/// <summary>
/// Client-side pacing of AWS IoT control-plane calls (section "AwsPacing"): each operation is sent at most
/// <see cref="QuotaUse"/> × its quota per second, spread evenly, so calls do not collide with the quota and back off.
/// </summary>
public sealed class AwsPacingOptions
{
    public const string Section = "AwsPacing";

    /// <summary>The share of each quota the app uses (0.5–1); just under 1 leaves room for clock jitter.</summary>
    [Range(0.5, 1.0)]
    public double QuotaUse { get; set; } = 0.98;

    /// <summary>
    /// When AWS throttles provisioning anyway (another client shares the quota), the device's message is sent again with
    /// this visibility delay and the attempt ends without failing, so throttling never counts toward the poison limit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ThrottledDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Quotas in calls per second by operation name, e.g. <c>AwsPacing__Quotas__CreateKeysAndCertificate</c>; an operation not named keeps AWS's default.</summary>
    public Dictionary<string, double> Quotas { get; set; } = [];

    /// <summary>AWS IoT Core's default rate quotas (transactions per second).</summary>
    public static readonly IReadOnlyDictionary<string, double> AwsDefaults = new Dictionary<string, double>
    {
        ["CreateThing"] = 100,
        ["DescribeThing"] = 350,
        ["DeleteThing"] = 100,
        ["AddThingToThingGroup"] = 60,
        ["AttachThingPrincipal"] = 100,
        ["DetachThingPrincipal"] = 100,
        ["ListThingPrincipals"] = 10,
        ["CreateKeysAndCertificate"] = 10,
        ["CreateCertificateFromCsr"] = 15,
        ["UpdateCertificate"] = 10,
        ["DeleteCertificate"] = 10,
        ["AttachPolicy"] = 15,
        ["DetachPolicy"] = 15,
        ["GetPolicy"] = 10,
        ["CreatePolicy"] = 10,
        ["DescribeEndpoint"] = 10,
    };

    /// <summary>The time between two calls of <paramref name="operation"/>; zero for an operation without a known quota.</summary>
    public TimeSpan Interval(string operation) =>
        Quotas.TryGetValue(operation, out var quota) || AwsDefaults.TryGetValue(operation, out quota)
            ? TimeSpan.FromSeconds(1 / (quota * QuotaUse))
            : TimeSpan.Zero;
}

/// <summary>Hands out the moments at which AWS calls may be sent, shared by every instance of the app.</summary>
public interface IAwsPacer
{
    /// <summary>Waits until a call of <paramref name="operation"/> may be sent without exceeding its pace.</summary>
    Task WaitTurnAsync(string operation, CancellationToken cancellationToken = default);
}

/// <summary>Paces each attempt (retries included) of a control-plane call; sits inside the retry handler.</summary>
internal sealed class AwsPacingHandler(IAwsPacer? pacer) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (pacer is not null && request.Options.TryGetValue(IotOperation.RequestOptionKey, out var operation))
        {
            await pacer.WaitTurnAsync(operation.Name, cancellationToken);
        }
        return await base.SendAsync(request, cancellationToken);
    }
}

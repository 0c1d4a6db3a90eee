namespace Provision.Emulators.Aws;

/// <summary>Token buckets per operation: a burst of one second's quota, refilled continuously.</summary>
internal sealed class RateQuotas(AwsEmulatorOptions options, TimeProvider time)
{
    // Default AWS IoT Core and STS rate quotas (transactions per second).
    public static readonly IReadOnlyDictionary<string, double> Defaults = new Dictionary<string, double>
    {
        ["CreateThing"] = 100,
        ["AttachThingPrincipal"] = 100,
        ["DetachThingPrincipal"] = 100,
        ["AttachPolicy"] = 15,
        ["DetachPolicy"] = 15,
        ["DescribeThing"] = 350,
        ["DeleteThing"] = 100,
        ["ListThingPrincipals"] = 10,
        ["GetPolicy"] = 10,
        ["CreatePolicy"] = 10,
        ["CreateKeysAndCertificate"] = 10,
        ["CreateCertificateFromCsr"] = 15,
        ["DescribeCertificate"] = 10,
        ["UpdateCertificate"] = 10,
        ["DeleteCertificate"] = 10,
        ["DescribeEndpoint"] = 10,
        ["AddThingToThingGroup"] = 60,
        ["CreateThingGroup"] = 25,
        ["Publish"] = 20000,
        ["AssumeRole"] = 600,
        ["AssumeRoleWithWebIdentity"] = 600,
        ["GetCallerIdentity"] = 600,
    };

    private readonly Dictionary<string, Bucket> buckets = [];

    public bool TryAcquire(string operation)
    {
        if (!options.EnforceQuotas)
        {
            return true;
        }

        var rate = options.Quotas.TryGetValue(operation, out var custom) ? custom
            : Defaults.TryGetValue(operation, out var standard) ? standard
            : 0;
        if (rate <= 0)
        {
            return true;
        }

        Bucket bucket;
        lock (buckets)
        {
            if (!buckets.TryGetValue(operation, out bucket!))
            {
                bucket = buckets[operation] = new Bucket(rate, time.GetTimestamp());
            }
        }

        return bucket.TryTake(rate, time);
    }

    private sealed class Bucket(double initialTokens, long initialStamp)
    {
        private readonly object gate = new();
        private double tokens = initialTokens;
        private long stamp = initialStamp;

        public bool TryTake(double rate, TimeProvider time)
        {
            lock (gate)
            {
                var now = time.GetTimestamp();
                tokens = Math.Min(rate, tokens + (time.GetElapsedTime(stamp, now).TotalSeconds * rate));
                stamp = now;
                if (tokens < 1)
                {
                    return false;
                }

                tokens--;
                return true;
            }
        }
    }
}

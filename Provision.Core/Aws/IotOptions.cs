using System.ComponentModel.DataAnnotations;

namespace Provision.Core.Aws;

/// <summary>AWS IoT resources given to devices (section "Iot").</summary>
public sealed class IotOptions
{
    public const string Section = "Iot";

    [Required, RegularExpression(@"^[\w+=,.@-]{1,128}$")]
    public string PolicyName { get; set; } = "IotoDevicePolicy";

    /// <summary>
    /// Policy template. ${region}, ${account} and ${partition} are replaced; IoT policy variables such as
    /// ${iot:Connection.Thing.ThingName} are left for AWS IoT to evaluate.
    /// </summary>
    public string? PolicyDocument { get; set; }

    /// <summary>The template in use: <see cref="PolicyDocument"/>, or the built-in one when that is empty.</summary>
    public string EffectivePolicyDocument => string.IsNullOrWhiteSpace(PolicyDocument) ? DefaultPolicyDocument : PolicyDocument;

    [RegularExpression("^[a-zA-Z0-9:_-]{1,128}$")]
    public string? ThingType { get; set; }

    [RegularExpression("^[a-zA-Z0-9:_-]{1,128}$")]
    public string? ThingGroup { get; set; }

    [Range(1, 65535)]
    public int MqttPort { get; set; } = 8883;

    // A device may connect as its own thing and use only topics under its own name.
    public const string DefaultPolicyDocument = """
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Action": "iot:Connect",
              "Resource": "arn:${partition}:iot:${region}:${account}:client/${iot:Connection.Thing.ThingName}"
            },
            {
              "Effect": "Allow",
              "Action": ["iot:Publish", "iot:Receive", "iot:RetainPublish"],
              "Resource": "arn:${partition}:iot:${region}:${account}:topic/ioto/*/${iot:Connection.Thing.ThingName}/*"
            },
            {
              "Effect": "Allow",
              "Action": "iot:Subscribe",
              "Resource": "arn:${partition}:iot:${region}:${account}:topicfilter/ioto/*/${iot:Connection.Thing.ThingName}/*"
            }
          ]
        }
        """;
}

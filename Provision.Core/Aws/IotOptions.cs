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

    /// <summary>The port devices connect to: 443 (TLS with ALPN x-amzn-mqtt-ca) is what the Ioto agent uses by default.</summary>
    [Range(1, 65535)]
    public int MqttPort { get; set; } = 443;

    /// <summary>
    /// Device X connects as client id X and reaches only its own topics, its account's and the fleet-wide ones, as the Ioto agent
    /// uses them. In IoT policies '*' also matches '/', so the thing name always sits at a fixed position followed by '/'; device ids
    /// never contain MQTT wildcards or '/', and are never one of <see cref="Devices.DeviceIds.Reserved"/>.
    /// </summary>
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
              "Action": "iot:Subscribe",
              "Resource": [
                "arn:${partition}:iot:${region}:${account}:topicfilter/ioto/device/${iot:Connection.Thing.ThingName}/*",
                "arn:${partition}:iot:${region}:${account}:topicfilter/ioto/account/all/*",
                "arn:${partition}:iot:${region}:${account}:topicfilter/ioto/account/${iot:Connection.Thing.Attributes[accountId]}/*",
                "arn:${partition}:iot:${region}:${account}:topicfilter/$aws/things/${iot:Connection.Thing.ThingName}/shadow/*"
              ]
            },
            {
              "Effect": "Allow",
              "Action": "iot:Receive",
              "Resource": [
                "arn:${partition}:iot:${region}:${account}:topic/ioto/device/${iot:Connection.Thing.ThingName}/*",
                "arn:${partition}:iot:${region}:${account}:topic/ioto/account/all/*",
                "arn:${partition}:iot:${region}:${account}:topic/ioto/account/${iot:Connection.Thing.Attributes[accountId]}/*",
                "arn:${partition}:iot:${region}:${account}:topic/$aws/things/${iot:Connection.Thing.ThingName}/shadow/*"
              ]
            },
            {
              "Effect": "Allow",
              "Action": "iot:Publish",
              "Resource": [
                "arn:${partition}:iot:${region}:${account}:topic/ioto/service/${iot:Connection.Thing.ThingName}/*",
                "arn:${partition}:iot:${region}:${account}:topic/$aws/rules/IotoDevice/ioto/service/${iot:Connection.Thing.ThingName}/*",
                "arn:${partition}:iot:${region}:${account}:topic/$aws/things/${iot:Connection.Thing.ThingName}/shadow/*"
              ]
            }
          ]
        }
        """;
}

// Entry point for `azd up` and `az deployment sub create`: a resource group and everything in it.
targetScope = 'subscription'

@description('Required. Name of the environment (azd environment name); it names the resource group and seeds the unique suffix of every resource name.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Required. Location of all resources. Flex Consumption must be available in this region.')
@minLength(1)
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Optional. Name of the resource group. Defaults to rg-<environmentName>.')
param resourceGroupName string = ''

@description('Optional. Principal id of an operator (user or group) granted Key Vault Secrets Officer on the vault. azd passes the signed-in user.')
param principalId string = ''

@description('Optional. Type of the principal in principalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Optional. Maximum number of instances the function app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Optional. Memory of each function app instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Optional. Number of days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Optional. Enable Key Vault purge protection. Once enabled it cannot be turned off; disable it only for throwaway environments.')
param keyVaultEnablePurgeProtection bool = true

@description('Optional. Days a deleted vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('Optional. Admin API bootstrap key, stored in Key Vault. Required on the first deployment; empty keeps the value already in the vault.')
@secure()
param adminBootstrapKey string = ''

@description('Optional. Key-encryption key for device private keys (base64 of 32 random bytes), stored in Key Vault. Required on the first deployment; empty keeps the value already in the vault.')
@secure()
param keyEncryptionKey string = ''

@description('Optional. Id of the key-encryption key, recorded with every encrypted private key; change it when rotating the key.')
param keyEncryptionKeyId string = 'k1'

@description('Optional. How long a device may fetch its private key after provisioning (d.hh:mm:ss).')
param keyDeliveryWindow string = '7.00:00:00'

@description('Required. AWS region of the IoT Core and STS endpoints, e.g. us-east-1.')
param awsRegion string

@description('Optional. AWS account id, stored in Key Vault. Required on the first deployment; empty keeps the value already in the vault.')
param awsAccountId string = ''

@description('Optional. ARN of the AWS IAM role the service assumes with its managed identity token, stored in Key Vault. Required on the first deployment; empty keeps the value already in the vault.')
param awsWebIdentityRoleArn string = ''

@description('Optional. Resource the managed identity token presented to AWS STS is requested for; the token carries its app id fb60f99c-7a34-4190-8149-302f77469936 as aud.')
param awsWebIdentityAudience string = 'api://AzureADTokenExchange'

@description('Optional. AWS IoT policy attached to every device certificate.')
param iotPolicyName string = 'IotoDevicePolicy'

@description('Optional. JSON document used to create the IoT policy when it does not exist. Empty uses the built-in document.')
param iotPolicyDocument string = ''

@description('Optional. AWS IoT thing type given to new things. Empty for none.')
param iotThingType string = ''

@description('Optional. AWS IoT thing group new things join. Empty for none.')
param iotThingGroup string = ''

@description('Optional. MQTT port returned to devices (443 with ALPN x-amzn-mqtt-ca is the Ioto agent default).')
param iotMqttPort int = 443

@description('Optional. IAM role (name or ARN) devices assume through getCreds.')
param deviceRole string = 'IotoDeviceRole'

@description('Optional. Lifetime of device credentials, in seconds (at least 1800: the Ioto agent renews 20 minutes before expiry).')
@minValue(1800)
@maxValue(43200)
param credentialsDurationSeconds int = 3600

@description('Optional. Prefix of every table name, to share one storage account between deployments.')
param tablePrefix string = ''

@description('Optional. Name of the provisioning queue; failing messages go to <name>-poison.')
param provisionQueue string = 'provision-things'

@description('Optional. Retries of throttled or failed AWS calls after the first attempt.')
@minValue(0)
@maxValue(10)
param awsMaxRetryAttempts int = 4

@description('Optional. First AWS retry delay (hh:mm:ss.fff); later delays grow exponentially with jitter.')
param awsRetryBaseDelay string = '00:00:00.500'

@description('Optional. Time allowed for one AWS call attempt (hh:mm:ss).')
param awsAttemptTimeout string = '00:00:10'

@description('Optional. getCreds calls one device may make per window.')
@minValue(1)
@maxValue(1000)
param credentialsPermitsPerWindow int = 10

@description('Optional. Window of the per-device getCreds limit (hh:mm:ss).')
param credentialsWindow string = '00:01:00'

@description('Optional. Seconds release data is cached in memory.')
@minValue(0)
@maxValue(3600)
param releaseCacheSeconds int = 30

@description('Optional. A check-in that changes nothing but its time is written at most this often (hh:mm:ss).')
param checkinWriteInterval string = '00:15:00'

var tags = {
  'azd-env-name': environmentName
}

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'resources'
  scope: resourceGroup
  params: {
    environmentName: environmentName
    location: location
    tags: tags
    principalId: principalId
    principalType: principalType
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    logRetentionInDays: logRetentionInDays
    keyVaultEnablePurgeProtection: keyVaultEnablePurgeProtection
    keyVaultSoftDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    adminBootstrapKey: adminBootstrapKey
    keyEncryptionKey: keyEncryptionKey
    keyEncryptionKeyId: keyEncryptionKeyId
    keyDeliveryWindow: keyDeliveryWindow
    awsRegion: awsRegion
    awsAccountId: awsAccountId
    awsWebIdentityRoleArn: awsWebIdentityRoleArn
    awsWebIdentityAudience: awsWebIdentityAudience
    iotPolicyName: iotPolicyName
    iotPolicyDocument: iotPolicyDocument
    iotThingType: iotThingType
    iotThingGroup: iotThingGroup
    iotMqttPort: iotMqttPort
    deviceRole: deviceRole
    credentialsDurationSeconds: credentialsDurationSeconds
    tablePrefix: tablePrefix
    provisionQueue: provisionQueue
    awsMaxRetryAttempts: awsMaxRetryAttempts
    awsRetryBaseDelay: awsRetryBaseDelay
    awsAttemptTimeout: awsAttemptTimeout
    credentialsPermitsPerWindow: credentialsPermitsPerWindow
    credentialsWindow: credentialsWindow
    releaseCacheSeconds: releaseCacheSeconds
    checkinWriteInterval: checkinWriteInterval
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output SERVICE_API_NAME string = resources.outputs.functionAppName
output SERVICE_API_URI string = resources.outputs.functionAppUri
output AZURE_KEY_VAULT_NAME string = resources.outputs.keyVaultName
output AZURE_KEY_VAULT_ENDPOINT string = resources.outputs.keyVaultUri
output AZURE_STORAGE_ACCOUNT_NAME string = resources.outputs.storageAccountName
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = resources.outputs.identityClientId
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = resources.outputs.identityPrincipalId

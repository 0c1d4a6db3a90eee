// Everything Provision needs inside one resource group. main.bicep deploys it for azd;
// it can also be deployed on its own with `az deployment group create`.

@description('Required. Name of the environment; it seeds the unique suffix of every resource name.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Required. Location of all resources: a region that offers Flex Consumption.')
@allowed([
  'australiaeast'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'northcentralus'
  'northeurope'
  'southcentralus'
  'southeastasia'
  'swedencentral'
  'uksouth'
  'westcentralus'
  'westeurope'
  'westus2'
])
param location string

@description('Optional. Tags of all resources.')
param tags object = {}

@description('Optional. Public https base URL the Ioto agent is given as its api (a custom domain or a front door). Empty = https://<function app name>.azurewebsites.net; set it when the app has a custom domain or a unique default host name.')
param publicUrl string = ''

@description('Optional. Principal id of an operator (user or group) granted Key Vault Secrets Officer on the vault. Empty for none.')
param principalId string = ''

@description('Optional. Type of the principal in principalId; empty lets Azure look it up, so a user or a CI service principal can deploy.')
@allowed([
  ''
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = ''

@description('Optional. Private networking: the function app joins a virtual network, and storage (blob, queue, table) and Key Vault are reached through private endpoints and private DNS zones, with public access to storage off and Key Vault denying public traffic except the IP rules an operator adds.')
param vnetEnabled bool = false

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

@description('Optional. Id of the current key-encryption key (letters and digits): its Key Vault secret is key-encryption-key-<id>, written once by infra/hooks/write-secrets.sh. A new id rotates the key.')
@minLength(1)
@maxLength(32)
param keyEncryptionKeyId string = 'k1'

@description('Optional. Id of the key-encryption key before the last rotation, still used to read private keys it encrypted; empty when never rotated.')
@maxLength(32)
param previousKeyEncryptionKeyId string = ''

@description('Optional. How long a device may fetch its private key after provisioning (d.hh:mm:ss).')
param keyDeliveryWindow string = '7.00:00:00'

@description('Required. AWS region of the IoT Core and STS endpoints, e.g. us-east-1.')
@allowed([
  'us-east-1'
  'us-east-2'
  'us-west-1'
  'us-west-2'
  'ca-central-1'
  'sa-east-1'
  'eu-west-1'
  'eu-west-2'
  'eu-west-3'
  'eu-central-1'
  'eu-north-1'
  'eu-south-1'
  'ap-east-1'
  'ap-south-1'
  'ap-northeast-1'
  'ap-northeast-2'
  'ap-southeast-1'
  'ap-southeast-2'
  'me-south-1'
  'me-central-1'
  'cn-north-1'
  'cn-northwest-1'
  'us-gov-west-1'
  'us-gov-east-1'
])
param awsRegion string

@description('Required. The 12-digit id of the AWS account that owns the IoT things.')
@minLength(12)
@maxLength(12)
param awsAccountId string

@description('Required. ARN of the AWS IAM role the service assumes with its managed identity token (arn:aws:iam::<account>:role/<name>).')
@minLength(32)
@maxLength(2048)
param awsWebIdentityRoleArn string

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

@description('Optional. Prefix of every table name (a letter, then letters and digits), to share one storage account between deployments.')
@maxLength(30)
param tablePrefix string = ''

@description('Optional. Name of the provisioning queue (lower-case letters, digits, single hyphens); failing messages go to <name>-poison.')
@minLength(3)
@maxLength(56)
param provisionQueue string = 'provision-things'

@description('Optional. Retries of throttled or failed AWS calls after the first attempt.')
@minValue(0)
@maxValue(10)
param awsMaxRetryAttempts int = 4

@description('Optional. First AWS retry delay (hh:mm:ss.fff); later delays grow exponentially with jitter.')
param awsRetryBaseDelay string = '00:00:00.500'

@description('Optional. Time allowed for one AWS call attempt (hh:mm:ss).')
param awsAttemptTimeout string = '00:00:10'

@description('Optional. Share of each AWS IoT rate quota the app paces its calls to, shared by every instance (0.5-1).')
param awsPacingQuotaUse string = '0.98'

@description('Optional. Visibility delay of a provisioning message re-queued because AWS throttled it (hh:mm:ss).')
param awsPacingThrottledDelay string = '00:00:05'

@description('Optional. getCreds calls one device may make per window.')
@minValue(1)
@maxValue(1000)
param credentialsPermitsPerWindow int = 10

@description('Optional. Window of the per-device getCreds limit (hh:mm:ss).')
param credentialsWindow string = '00:01:00'

@description('Optional. Certificates one device may have issued again (new CSR or purged key) per window.')
@minValue(1)
@maxValue(1000)
param reissuePermitsPerWindow int = 3

@description('Optional. Window of the per-device certificate re-issue limit (hh:mm:ss).')
param reissueWindow string = '01:00:00'

@description('Optional. Seconds release data is cached in memory.')
@minValue(0)
@maxValue(3600)
param releaseCacheSeconds int = 30

@description('Optional. A check-in that changes nothing but its time is written at most this often (hh:mm:ss).')
param checkinWriteInterval string = '00:15:00'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var names = {
  identity: 'id-${resourceToken}'
  logAnalytics: 'log-${resourceToken}'
  applicationInsights: 'appi-${resourceToken}'
  storageAccount: 'st${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  plan: 'plan-${resourceToken}'
  functionApp: 'func-${resourceToken}'
  virtualNetwork: 'vnet-${resourceToken}'
}
var deploymentContainerName = 'app-package'
var provisionQueueNames = [
  provisionQueue
  '${provisionQueue}-poison'
]
// Secrets the template never writes: infra/hooks/write-secrets.sh generates each one once, when it is absent,
// so a re-deployment can never replace a key. A key-encryption key has one secret per id, so rotating is a new id.
var keyVaultSecretNames = {
  adminBootstrapKey: 'admin-bootstrap-key'
  keyEncryptionKey: 'key-encryption-key-${keyEncryptionKeyId}'
  previousKeyEncryptionKey: 'key-encryption-key-${previousKeyEncryptionKeyId}'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: names.identity
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storageAccount
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    queueNames: provisionQueueNames
    privateNetworking: vnetEnabled
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: keyVaultEnablePurgeProtection
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    privateNetworking: vnetEnabled
  }
}

module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  params: {
    name: names.virtualNetwork
    location: location
    tags: tags
    storageAccountName: names.storageAccount
    keyVaultName: names.keyVault
  }
  dependsOn: [
    storage
    keyVault
  ]
}

module roleAssignments 'modules/roleAssignments.bicep' = {
  name: 'roleAssignments'
  params: {
    // The principal id seeds the assignment names (as the Flex quickstart does); it is known only at run time.
    #disable-next-line what-if-short-circuiting
    identityPrincipalId: identity.properties.principalId
    storageAccountName: names.storageAccount
    keyVaultName: names.keyVault
    applicationInsightsName: names.applicationInsights
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
  }
  dependsOn: [
    monitoring
    storage
    keyVault
  ]
}

var keyVaultSecretsUri = '${keyVault.outputs.uri}secrets/'

// Every setting the app reads, in one place. Names use Section__Key so they bind to the options classes,
// except names in binding expressions (ProvisionQueueName): Flex's scale controller reads those raw.
var appSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  // The .NET runtime's gen-0 budget (hex bytes): 2 MB keeps the worker's memory low (docs/performance.md).
  DOTNET_GCgen0size: '0x200000'
  Storage__TablePrefix: tablePrefix
  ProvisionQueueName: provisionQueue
  Aws__Region: awsRegion
  Aws__AccountId: awsAccountId
  Aws__WebIdentityRoleArn: awsWebIdentityRoleArn
  Aws__WebIdentityAudience: awsWebIdentityAudience
  Aws__ManagedIdentityClientId: identity.properties.clientId
  Aws__MaxRetryAttempts: string(awsMaxRetryAttempts)
  Aws__RetryBaseDelay: awsRetryBaseDelay
  Aws__AttemptTimeout: awsAttemptTimeout
  AwsPacing__QuotaUse: awsPacingQuotaUse
  AwsPacing__ThrottledDelay: awsPacingThrottledDelay
  Iot__PolicyName: iotPolicyName
  Iot__PolicyDocument: iotPolicyDocument
  Iot__ThingType: iotThingType
  Iot__ThingGroup: iotThingGroup
  Iot__MqttPort: string(iotMqttPort)
  Cloud__DeviceRole: deviceRole
  Cloud__CredentialsDurationSeconds: string(credentialsDurationSeconds)
  Cloud__Name: environmentName
  Cloud__PublicUrl: empty(publicUrl) ? 'https://${names.functionApp}.azurewebsites.net' : publicUrl
  Credentials__PermitsPerWindow: string(credentialsPermitsPerWindow)
  Credentials__Window: credentialsWindow
  Reissue__PermitsPerWindow: string(reissuePermitsPerWindow)
  Reissue__Window: reissueWindow
  Reregistration__PermitsPerWindow: '3'
  FleetDevices__PermitsPerWindow: '10000'
  FleetDevices__Window: '7.00:00:00'
  Reregistration__Window: '01:00:00'
  ProductRegistration__PermitsPerWindow: '1000'
  ProductRegistration__Window: '01:00:00'
  Releases__CacheSeconds: string(releaseCacheSeconds)
  Checkin__WriteInterval: checkinWriteInterval
  Security__KeyEncryptionKey: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretsUri}${keyVaultSecretNames.keyEncryptionKey})'
  Security__KeyEncryptionKeyId: keyEncryptionKeyId
  Security__PreviousKeyEncryptionKeyId: previousKeyEncryptionKeyId
  Security__PreviousKeyEncryptionKey: empty(previousKeyEncryptionKeyId)
    ? ''
    : '@Microsoft.KeyVault(SecretUri=${keyVaultSecretsUri}${keyVaultSecretNames.previousKeyEncryptionKey})'
  Security__KeyDeliveryWindow: keyDeliveryWindow
  Admin__BootstrapKey: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretsUri}${keyVaultSecretNames.adminBootstrapKey})'
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.id
    blobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSettings: appSettings
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.appSubnetId : ''
  }
  // Roles first, so the app can read its storage and Key Vault references when it starts.
  dependsOn: [
    roleAssignments
  ]
}

@description('Name of the function app.')
output functionAppName string = functionApp.outputs.name

@description('HTTPS endpoint of the function app.')
output functionAppUri string = functionApp.outputs.uri

@description('Name of the key vault.')
output keyVaultName string = keyVault.outputs.name

@description('URI of the key vault.')
output keyVaultUri string = keyVault.outputs.uri

@description('Name of the Key Vault secret holding the current key-encryption key.')
output keyEncryptionKeySecretName string = keyVaultSecretNames.keyEncryptionKey

@description('Name of the storage account.')
output storageAccountName string = storage.outputs.name

@description('Client id of the managed identity the function app runs as.')
output identityClientId string = identity.properties.clientId

@description('Principal (object) id of the managed identity; the subject of its tokens, used in the AWS role trust policy.')
output identityPrincipalId string = identity.properties.principalId

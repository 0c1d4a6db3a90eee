// Everything Provision needs inside one resource group. main.bicep deploys it for azd;
// it can also be deployed on its own with `az deployment group create`.

@description('Required. Name of the environment; it seeds the unique suffix of every resource name.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Optional. Location of all resources. Flex Consumption must be available in this region.')
param location string = resourceGroup().location

@description('Optional. Tags of all resources.')
param tags object = {}

@description('Optional. Principal id of an operator (user or group) granted Key Vault Secrets Officer on the vault. Empty for none.')
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

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var names = {
  identity: 'id-${resourceToken}'
  logAnalytics: 'log-${resourceToken}'
  applicationInsights: 'appi-${resourceToken}'
  storageAccount: 'st${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  plan: 'plan-${resourceToken}'
  functionApp: 'func-${resourceToken}'
}
var deploymentContainerName = 'app-package'
var provisionQueueNames = [
  provisionQueue
  '${provisionQueue}-poison'
]
var keyVaultSecretNames = {
  adminBootstrapKey: 'admin-bootstrap-key'
  keyEncryptionKey: 'key-encryption-key'
  awsAccountId: 'aws-account-id'
  awsWebIdentityRoleArn: 'aws-web-identity-role-arn'
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
    secrets: {
      '${keyVaultSecretNames.adminBootstrapKey}': adminBootstrapKey
      '${keyVaultSecretNames.keyEncryptionKey}': keyEncryptionKey
      '${keyVaultSecretNames.awsAccountId}': awsAccountId
      '${keyVaultSecretNames.awsWebIdentityRoleArn}': awsWebIdentityRoleArn
    }
  }
}

module roleAssignments 'modules/roleAssignments.bicep' = {
  name: 'roleAssignments'
  params: {
    identityName: identity.name
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
  Storage__TablePrefix: tablePrefix
  ProvisionQueueName: provisionQueue
  Aws__Region: awsRegion
  Aws__AccountId: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretsUri}${keyVaultSecretNames.awsAccountId})'
  Aws__WebIdentityRoleArn: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretsUri}${keyVaultSecretNames.awsWebIdentityRoleArn})'
  Aws__WebIdentityAudience: awsWebIdentityAudience
  Aws__ManagedIdentityClientId: identity.properties.clientId
  Aws__MaxRetryAttempts: string(awsMaxRetryAttempts)
  Aws__RetryBaseDelay: awsRetryBaseDelay
  Aws__AttemptTimeout: awsAttemptTimeout
  Iot__PolicyName: iotPolicyName
  Iot__PolicyDocument: iotPolicyDocument
  Iot__ThingType: iotThingType
  Iot__ThingGroup: iotThingGroup
  Iot__MqttPort: string(iotMqttPort)
  Cloud__DeviceRole: deviceRole
  Cloud__CredentialsDurationSeconds: string(credentialsDurationSeconds)
  Credentials__PermitsPerWindow: string(credentialsPermitsPerWindow)
  Credentials__Window: credentialsWindow
  Releases__CacheSeconds: string(releaseCacheSeconds)
  Checkin__WriteInterval: checkinWriteInterval
  Security__KeyEncryptionKey: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretsUri}${keyVaultSecretNames.keyEncryptionKey})'
  Security__KeyEncryptionKeyId: keyEncryptionKeyId
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

@description('Name of the storage account.')
output storageAccountName string = storage.outputs.name

@description('Client id of the managed identity the function app runs as.')
output identityClientId string = identity.properties.clientId

@description('Principal (object) id of the managed identity; the subject of its tokens, used in the AWS role trust policy.')
output identityPrincipalId string = identity.properties.principalId

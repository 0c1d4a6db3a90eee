@description('Required. Name of the key vault.')
param name string

@description('Required. Location of the key vault.')
param location string

@description('Optional. Tags of the key vault.')
param tags object = {}

@description('Optional. Prevent purging deleted vaults and secrets during the retention period. Once enabled it cannot be turned off.')
param enablePurgeProtection bool = true

@description('Optional. Days a deleted vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Optional. Secrets to write, by secret name. Entries with an empty value are skipped, so a redeployment keeps the value already in the vault.')
@secure()
param secrets object = {}

resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource keyVaultSecrets 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = [
  for secret in items(secrets): if (!empty(secret.value)) {
    parent: keyVault
    name: secret.key
    properties: {
      value: secret.value
    }
  }
]

@description('Name of the key vault.')
output name string = keyVault.name

@description('URI of the key vault, ending with a slash.')
output uri string = keyVault.properties.vaultUri

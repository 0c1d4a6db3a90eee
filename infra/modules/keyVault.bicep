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

@description('Optional. Reached through a private endpoint: public traffic denied except IP rules an operator adds (az keyvault network-rule add) to write secrets.')
param privateNetworking bool = false

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
      defaultAction: privateNetworking ? 'Deny' : 'Allow'
    }
  }
}

@description('Name of the key vault.')
output name string = keyVault.name

@description('URI of the key vault, ending with a slash.')
output uri string = keyVault.properties.vaultUri

#!/bin/sh
# Writes the Key Vault secrets Provision reads, each only when it is absent: the admin bootstrap key and
# the key-encryption key of the current id (key-encryption-key-<id>). An existing secret is never replaced,
# so re-deploying keeps every key; rotation is a new id (docs/deploy.md, "Rotate the key-encryption key").
# A soft-deleted vault or secret of the same name is recovered rather than replaced.
#
# azd runs it before provisioning (rotation: the new key exists before the app settings name it) and after
# (first deployment: the vault exists now). Without azd:
#   AZURE_KEY_VAULT_NAME=<vault> AZURE_RESOURCE_GROUP=<group> AZURE_LOCATION=<region> \
#   PROVISION_KEY_ENCRYPTION_KEY_ID=k1 ./infra/hooks/write-secrets.sh
set -eu

vault="${AZURE_KEY_VAULT_NAME:-}"
key_id="${PROVISION_KEY_ENCRYPTION_KEY_ID:-k1}"

if [ -z "$vault" ]; then
  echo "write-secrets: no vault yet (AZURE_KEY_VAULT_NAME is empty); the secrets are written after provisioning."
  exit 0
fi

if ! az keyvault show --name "$vault" --only-show-errors >/dev/null 2>&1; then
  if [ -n "$(az keyvault list-deleted --query "[?name=='$vault'].name" -o tsv --only-show-errors)" ]; then
    echo "write-secrets: recovering soft-deleted vault $vault"
    az group create --name "${AZURE_RESOURCE_GROUP:?AZURE_RESOURCE_GROUP is required to recover the vault}" \
      --location "${AZURE_LOCATION:?AZURE_LOCATION is required to recover the vault}" --only-show-errors >/dev/null
    az keyvault recover --name "$vault" --only-show-errors >/dev/null
  else
    echo "write-secrets: vault $vault does not exist yet; the secrets are written after provisioning."
    exit 0
  fi
fi

# 32 random bytes, base64: 256 bits for the bootstrap key, an AES-256 key for the key-encryption key.
ensure_secret() {
  name="$1"
  if az keyvault secret show --vault-name "$vault" --name "$name" --only-show-errors >/dev/null 2>&1; then
    echo "write-secrets: $name exists; kept"
  elif az keyvault secret show-deleted --vault-name "$vault" --name "$name" --only-show-errors >/dev/null 2>&1; then
    az keyvault secret recover --vault-name "$vault" --name "$name" --only-show-errors >/dev/null
    echo "write-secrets: $name recovered"
  else
    # Role assignments can take a minute to reach Key Vault after the first deployment.
    for attempt in 1 2 3 4 5 6; do
      if openssl rand -base64 32 | tr -d '\n' | az keyvault secret set --vault-name "$vault" --name "$name" \
           --file /dev/stdin --only-show-errors >/dev/null 2>&1; then
        echo "write-secrets: $name generated"
        return 0
      fi
      echo "write-secrets: cannot write $name yet (attempt $attempt); waiting for the Key Vault Secrets Officer role"
      sleep 20
    done
    echo "write-secrets: could not write $name to $vault: the deploying principal needs Key Vault Secrets Officer (principalId)." >&2
    exit 1
  fi
}

ensure_secret admin-bootstrap-key
ensure_secret "key-encryption-key-$key_id"

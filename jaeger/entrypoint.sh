#!/bin/bash
# Entrypoint of orderscope's Jaeger image (jaeger/Dockerfile). As root, and only for this: mounts the
# encrypted trace store (gocryptfs over FUSE; scripts/jaeger-store.sh) — the volume holds only
# ciphertext, Jaeger sees the plaintext in a directory that exists in this container only. Then
# runs Jaeger, with this container's command as its arguments, as JAEGER_UID (10001, the official
# image's user): no supplementary groups, no capabilities, no way to gain any (no_new_privs).
# See docs/storage-encryption.md.
set -euo pipefail
uid="${JAEGER_UID:-10001}"

# --log -: gocryptfs logs to this container's output (there is no syslog here).
jaeger-store.sh mount --owner "$uid:$uid" --log - \
  "${JAEGER_STORE_CIPHER_DIR:?}" "${JAEGER_BADGER_DIR:?}" "${JAEGER_STORE_KEY_FILE:?}"

exec setpriv --reuid="$uid" --regid="$uid" --clear-groups \
  --inh-caps=-all --bounding-set=-all --no-new-privs \
  -- "${JAEGER_BIN:-/cmd/jaeger/jaeger-linux}" "$@"

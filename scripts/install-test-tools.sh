#!/usr/bin/env bash
# Installs the test tools that live outside the main venv, exactly as a new user needs them:
#   - Azurite (Azure Blob emulator) from npm, into .tools/node_modules
#   - Chromium (headless, for report/dashboard page tests) from Debian, when running as root
#   - Evidently (the drift oracle) in its own venv, .tools/evidently-venv
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .tools/node_modules/.bin/azurite-blob ]; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p .tools
    npm install --silent --no-audit --no-fund --prefix .tools azurite@3 >/dev/null
  else
    echo "npm not found: Azure Blob tests need Azurite (apt-get install npm)" >&2
  fi
fi

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium not found: page tests need it (sudo apt-get install chromium)" >&2
  fi
fi

# Evidently 0.7.23 (the drift oracle) needs pandas < 3, so it gets a venv of its own.
if [ ! -x .tools/evidently-venv/bin/python ]; then
  python3 -m venv .tools/evidently-venv
  .tools/evidently-venv/bin/pip install --quiet evidently==0.7.23 "pandas<3" >/dev/null
fi

# The KServe Python SDK (its V2 REST client, for the client round-trip test) pins pandas < 3
# and an old psutil, so it gets a venv of its own too.
if [ ! -x .tools/kserve-venv/bin/python ]; then
  python3 -m venv .tools/kserve-venv
  .tools/kserve-venv/bin/pip install --quiet "kserve==0.21.0" >/dev/null
fi

# iproute2 (`ip netns`, `tc netem`) and nftables (packet loss) for the network-fault drills of
# tests/cloud/test_netem.py; the drills skip, saying why, where namespaces cannot be made.
if ! command -v tc >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 || ! command -v nft >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 nftables >/dev/null
  else
    echo "ip/tc/nft not found: network-fault drills need iproute2 and nftables (sudo apt-get install iproute2 nftables)" >&2
  fi
fi

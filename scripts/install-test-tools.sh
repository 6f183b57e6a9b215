#!/usr/bin/env bash
# Installs the test tools that do not come from PyPI, exactly as a new user would need them:
#   - Azurite (Azure Blob emulator) from npm, into .tools/node_modules
#   - Chromium (headless, for report/dashboard page tests) from Debian, when running as root
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

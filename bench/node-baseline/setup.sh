#!/usr/bin/env bash
# Installs what the classic-design baseline needs (never needed by the build or CI):
# Node.js and npm, redis-server (Debian packages, when missing) and the server's npm dependencies
# exactly as package-lock.json pins them. Run as root, or with the packages already installed.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} with apt-get"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

npm ci --no-audit --no-fund
echo "node $(node --version), $(redis-server --version | cut -d' ' -f1-3), ws and ioredis in $(pwd)/node_modules"

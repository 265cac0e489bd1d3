#!/usr/bin/env bash
# Installs code-server 4.100.3 without internet (see shared notes): npm packages plus local ripgrep, then rebuilds natives.
set -euo pipefail
VERSION=4.100.3
DIR="${XDP_META_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/xdp-meta/code-server-$VERSION}"
if [ -x "$DIR/node_modules/.bin/code-server" ] && [ -f "$DIR/.complete" ]; then
  echo "code-server: $DIR"
  exit 0
fi
echo "code-server: installing $VERSION into $DIR (about four minutes)"
rm -rf "$DIR"; mkdir -p "$DIR"; cd "$DIR"
export npm_config_yes=true npm_config_loglevel=error npm_config_audit=false npm_config_fund=false
npm install --ignore-scripts code-server@$VERSION >/dev/null
cd node_modules/code-server/lib/vscode
npm install --unsafe-perm --omit=dev --ignore-scripts >/dev/null
mkdir -p node_modules/@vscode/ripgrep/bin && cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm rebuild --unsafe-perm >/dev/null
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --unsafe-perm --omit=dev >/dev/null)
cd "$DIR" && npm rebuild argon2 >/dev/null
touch "$DIR/.complete"
echo "code-server: $DIR"

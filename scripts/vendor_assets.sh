#!/usr/bin/env bash
# Vendor the GraphiQL playground's browser assets into api/static/graphiql/.
#
# Why: strawberry's stock GraphiQL page loads React, GraphiQL and the explorer
# plugin from a CDN; council networks often block CDNs and our servers have no
# internet, so the app serves these files itself (see api/playground.py).
#
# The versions are pinned to the ones strawberry's own template uses, and the
# files are byte-for-byte the published npm tarball contents (their sha384 match
# the SRI hashes in strawberry/static/graphiql.html). Re-run this script to
# reproduce or upgrade; it rewrites api/static/graphiql/VERSIONS with sha256.
#
# Usage: scripts/vendor_assets.sh            (needs node/npm and the npm registry)
#        scripts/vendor_assets.sh --check    (re-download and compare with the repo)
set -euo pipefail

REACT_VERSION=18.2.0
REACT_DOM_VERSION=18.2.0
JS_COOKIE_VERSION=3.0.5
GRAPHIQL_VERSION=3.8.3
PLUGIN_EXPLORER_VERSION=1.0.2
# Bundled inside the plugin's UMD build; fetched only for its LICENSE.
GRAPHIQL_EXPLORER_VERSION=0.9.0

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$repo_root/api/static/graphiql"
mode="${1:-write}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# "package spec|file inside the tarball|name in api/static/graphiql"
assets=(
  "react@$REACT_VERSION|umd/react.production.min.js|react.production.min.js"
  "react@$REACT_VERSION|LICENSE|licenses/react.LICENSE"
  "react-dom@$REACT_DOM_VERSION|umd/react-dom.production.min.js|react-dom.production.min.js"
  "react-dom@$REACT_DOM_VERSION|LICENSE|licenses/react-dom.LICENSE"
  "js-cookie@$JS_COOKIE_VERSION|dist/js.cookie.min.js|js.cookie.min.js"
  "js-cookie@$JS_COOKIE_VERSION|LICENSE|licenses/js-cookie.LICENSE"
  "graphiql@$GRAPHIQL_VERSION|graphiql.min.js|graphiql.min.js"
  "graphiql@$GRAPHIQL_VERSION|graphiql.min.css|graphiql.min.css"
  "graphiql@$GRAPHIQL_VERSION|LICENSE|licenses/graphiql.LICENSE"
  "@graphiql/plugin-explorer@$PLUGIN_EXPLORER_VERSION|dist/index.umd.js|plugin-explorer.umd.js"
  "@graphiql/plugin-explorer@$PLUGIN_EXPLORER_VERSION|dist/style.css|plugin-explorer.css"
  "graphiql-explorer@$GRAPHIQL_EXPLORER_VERSION|LICENSE|licenses/graphiql-explorer.LICENSE"
)

unpack() {
  # Download one package tarball from the npm registry and unpack it once.
  local spec="$1" dir="$work/${1//[@\/]/_}"
  if [[ ! -d "$dir" ]]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack "$spec" --silent >/dev/null && tar xzf ./*.tgz)
  fi
  echo "$dir/package"
}

out="$work/out"
mkdir -p "$out/licenses"
for row in "${assets[@]}"; do
  IFS='|' read -r spec src name <<<"$row"
  cp "$(unpack "$spec")/$src" "$out/$name"
done

cat >"$out/licenses/plugin-explorer.LICENSE" <<TXT
@graphiql/plugin-explorer $PLUGIN_EXPLORER_VERSION is MIT-licensed ("license": "MIT" in its
package.json); its npm tarball carries no LICENSE file. It is published from the
graphql/graphiql monorepo, whose MIT licence text is in graphiql.LICENSE beside this file.
Its UMD build bundles graphiql-explorer $GRAPHIQL_EXPLORER_VERSION (MIT, graphiql-explorer.LICENSE).
TXT

{
  echo "# Vendored GraphiQL playground assets, written by scripts/vendor_assets.sh; do not edit."
  echo "# Source: the npm registry (npm pack <package>@<version>), files copied unchanged."
  echo "# package@version  file  sha256"
  for row in "${assets[@]}"; do
    IFS='|' read -r spec _src name <<<"$row"
    echo "$spec  $name  $(sha256sum "$out/$name" | cut -d' ' -f1)"
  done
  echo "-  licenses/plugin-explorer.LICENSE  $(sha256sum "$out/licenses/plugin-explorer.LICENSE" | cut -d' ' -f1)"
} >"$out/VERSIONS"

if [[ "$mode" == "--check" ]]; then
  diff -r "$out" "$dest" && echo "api/static/graphiql matches the npm registry."
else
  rm -rf "$dest"
  mkdir -p "$dest"
  cp -r "$out/." "$dest/"
  echo "Wrote $dest"
fi

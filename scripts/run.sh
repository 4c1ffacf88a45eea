#!/usr/bin/env bash
# Shared by the run-*.sh scripts: installs dependencies, compiles TypeScript and (on Linux)
# the native addon when they are missing or older than their sources, then runs the bin.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$1"
shift
cd "$root"
if [ ! -d node_modules ]; then
  npm install --no-audit --no-fund >&2
fi
newest_source=$(find src package.json tsconfig.json -newer dist/.built 2>/dev/null | head -1 || true)
if [ ! -f dist/.built ] || [ -n "$newest_source" ]; then
  npm run --silent build >&2
  touch dist/.built
fi
if [ "$(uname -s)" = Linux ] && [ "${AQUATIC_NATIVE:-1}" != 0 ] && [ -f scripts/install-native.mjs ]; then
  if [ ! -f build/Release/aquatic_native.node ] || [ -n "$(find native binding.gyp -newer build/Release/aquatic_native.node 2>/dev/null | head -1)" ]; then
    node scripts/install-native.mjs >&2 || true
  fi
fi
exec node "bin/$bin.js" "$@"

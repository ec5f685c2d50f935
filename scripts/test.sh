#!/usr/bin/env bash
# Runs every test: formatting, vet, and the whole suite with the race
# detector. CI (.ci/run) calls exactly this script. It first installs, from
# Debian's packages, the tools that some tests use as independent peers.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each entry: a command the tests look for, and the Debian package with it.
tools=(
  "glpsol:glpk-utils"
  "chromium:chromium"
  "node:nodejs"
  "npm:npm"
  "ssh-agent:openssh-client"
)
missing=()
for t in "${tools[@]}"; do
  command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}")
done
# The NumPy reference of the model (bench/reference_simulate.py) is run by
# simulate's tests as an independent implementation.
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || missing+=("python3-numpy")
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "== not root: ${missing[*]} missing; tests that need them skip (they fail under CI=true)" >&2
  fi
fi

# The Russian and Chinese browser journeys take screenshots for
# docs/screenshots: Chinese needs a CJK font. It is installed on its own,
# because apt finds no solution when it comes with the packages above.
if ! fc-list :lang=zh family 2>/dev/null | grep -q .; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing fonts-noto-cjk"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null
  else
    echo "== not root: no CJK font; Chinese screenshots show boxes" >&2
  fi
fi

# The PostgreSQL contract and multi-server tests get a throwaway server,
# unless the caller points $INDIVISIBLE_POSTGRES at one.
if [ -z "${INDIVISIBLE_POSTGRES:-}" ]; then
  . scripts/postgres.sh
  start_postgres
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
echo "== go vet"
go vet ./...
echo "== redocly lint docs/openapi.yaml"
# Redocly's recommended rules, from a pinned npm version installed once
# under the user's cache, outside the repository. 2.x needs Node.js 20.19
# or 22.12 and later; Debian's own nodejs (18) gets the last 1.x, which
# reports the same on this spec.
redocly=$(node -e 'const [a, b] = process.versions.node.split(".").map(Number);
  process.stdout.write(a > 22 || a === 22 && b >= 12 || a === 20 && b >= 19 ? "2.77.0" : "1.34.20")' 2>/dev/null || true)
if [ -z "$redocly" ] || ! command -v npm >/dev/null 2>&1; then
  echo "node or npm missing: cannot lint docs/openapi.yaml" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
else
  prefix="${XDG_CACHE_HOME:-$HOME/.cache}/indivisible/redocly-cli-$redocly"
  if [ ! -x "$prefix/node_modules/.bin/redocly" ]; then
    echo "== installing @redocly/cli@$redocly under $prefix"
    npm install --prefix "$prefix" --no-fund --no-audit --loglevel=error "@redocly/cli@$redocly" >/dev/null
  fi
  REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    "$prefix/node_modules/.bin/redocly" lint --format=stylish docs/openapi.yaml
fi
echo "== go test -race"
go test -race -timeout 60m ./...

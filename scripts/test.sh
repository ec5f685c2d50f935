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
echo "== go test -race"
go test -race -timeout 60m ./...

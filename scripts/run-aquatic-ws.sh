#!/usr/bin/env bash
# Runs aquatic_ws from this checkout, building what is missing first; arguments pass on:
#   scripts/run-aquatic-ws.sh -c aquatic-ws.toml
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" aquatic_ws "$@"

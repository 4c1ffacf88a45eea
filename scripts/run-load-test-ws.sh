#!/usr/bin/env bash
# Runs aquatic_ws_load_test from this checkout, building what is missing first; arguments pass on:
#   AQUATIC_SERVER_ADDRESS=127.0.0.1:3000 scripts/run-load-test-ws.sh
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" aquatic_ws_load_test "$@"

#!/usr/bin/env bash
# Runs aquatic_http_load_test from this checkout, building what is missing first; arguments pass on:
#   AQUATIC_SERVER_ADDRESS=127.0.0.1:3000 scripts/run-load-test-http.sh
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" aquatic_http_load_test "$@"

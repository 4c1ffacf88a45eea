#!/usr/bin/env bash
# Runs aquatic_http from this checkout, building what is missing first; arguments pass on:
#   scripts/run-aquatic-http.sh -c aquatic-http.toml
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" aquatic_http "$@"

#!/usr/bin/env bash
# Runs aquatic_udp from this checkout, building what is missing first; arguments pass on:
#   scripts/run-aquatic-udp.sh -c aquatic-udp.toml
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" aquatic_udp "$@"

#!/usr/bin/env bash
# The release build every script here uses (the demo, the benchmarks, the Pound suite
# with `release`); `--show-bin-path` prints where it lands. Extra arguments go to
# `swift build`.
#
# Swift checks exclusive access to class properties and globals at run time
# (swift_beginAccess). Package.swift turns that off for our own targets; a package
# cannot set flags for its dependencies, so this turns it off for SwiftNIO and the
# rest too: 11% of the instructions of an HTTPS keep-alive request
# (Benchmarks/instructions.sh). The compile-time checks stay, and debug builds (every
# test run) keep the run-time ones. Every release build goes through here so that the
# flags never change between builds, which would rebuild everything.
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift build -c release -Xswiftc -enforce-exclusivity=unchecked "$@"

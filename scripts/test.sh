#!/usr/bin/env bash
# Builds from scratch and runs every test: cmocka unit tests, the check
# against the API simulator, and the collectd plugin under the real daemon.
# A second build with AddressSanitizer and UndefinedBehaviorSanitizer runs
# the unit tests and the check's integration tests again. Installs missing Debian packages when run as root.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/install-deps.sh

build=build-test
rm -rf "$build" build-sanitize

echo "== Build ($build)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"

echo "== Sanitizer build (build-sanitize)"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DWJ_SANITIZE=ON
cmake --build build-sanitize -j"$(nproc)"

echo "== Unit tests and the check's integration tests under ASan and UBSan"
ctest --test-dir build-sanitize -R '^unit\.|^integration\.test_check' --output-on-failure

echo "== All tests"
ctest --test-dir "$build" --output-on-failure

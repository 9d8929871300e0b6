#!/usr/bin/env bash
# Installs the Debian 12 packages that building, the demo and the tests need,
# and the comma-decimal locale the locale tests run under. Installs only what
# is missing; without root it lists the missing packages and stops.
set -euo pipefail

packages=(
  cmake gcc make pkg-config
  libcurl4-openssl-dev libjansson-dev libcmocka-dev collectd-dev
  python3 openssl ca-certificates locales tzdata valgrind procps time
  collectd-core collectd-utils nagios4-core icinga2-bin
)

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for package in "${packages[@]}"; do
  is_installed "$package" || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Run this script as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  apt-get update -q
  # The daemons' packages must not start services on the build machine.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The locale tests print numbers under a comma-decimal locale.
if ! locale -a 2>/dev/null | grep -qix 'de_DE.utf8'; then
  if [[ $(id -u) -eq 0 ]]; then
    localedef -i de_DE -f UTF-8 de_DE.UTF-8
  else
    echo "The locale de_DE.UTF-8 is missing; as root run: localedef -i de_DE -f UTF-8 de_DE.UTF-8" >&2
    exit 1
  fi
fi

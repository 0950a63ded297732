#!/usr/bin/env bash
# Checks (and, as root, installs) what `make run` / `make test` need from the system.
# Usage: scripts/prereqs.sh run|test  -> prints the Python interpreter to use on the last line.
set -euo pipefail
mode="${1:-run}"
missing=()
apt_packages=()

python=""
for candidate in python3.13 python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1 \
     && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
    python="$(command -v "$candidate")"; break
  fi
done
[ -n "$python" ] || missing+=("Python 3.13 (or 3.12+): install it, e.g. 'pyenv install 3.13' or 'apt-get install python3.13 python3.13-venv'")

# DynamoDB Local runs on Java 17+, and its loopback-only launcher (scripts/dynamodb) is built with javac.
if command -v javac >/dev/null 2>&1; then
  jcv=$(javac -version 2>&1 | awk '/^javac/ {print $2}' | cut -d. -f1)
  [ "${jcv:-0}" -ge 17 ] 2>/dev/null || missing+=("A Java JDK 17+ to build DynamoDB Local's launcher (found javac ${jcv:-?}): apt-get install openjdk-17-jdk-headless")
  jv=$(java -version 2>&1 | awk -F'"' '/version/ {print $2}' | cut -d. -f1)
  [ "${jv:-0}" -ge 17 ] 2>/dev/null || missing+=("Java 17+ for DynamoDB Local (found ${jv:-no java}): apt-get install openjdk-17-jdk-headless")
else
  apt_packages+=(openjdk-17-jdk-headless)
fi

if command -v node >/dev/null 2>&1; then
  nv=$(node --version | sed 's/^v//' | cut -d. -f1)
  [ "$nv" -ge 20 ] 2>/dev/null || missing+=("Node.js 20+ (found $(node --version)): see https://nodejs.org or your distribution's nodejs package")
else
  missing+=("Node.js 20+ and npm: apt-get install nodejs npm")
fi

command -v msgfmt >/dev/null 2>&1 || apt_packages+=(gettext)
if [ "$mode" = "test" ]; then
  [ -x /usr/bin/chromium ] || apt_packages+=(chromium)
fi

if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages: ${apt_packages[*]}" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}") >&2
  else
    missing+=("System packages: sudo apt-get install -y ${apt_packages[*]}")
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "NexioQ cannot set up yet. Missing:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 1
fi
echo "$python"

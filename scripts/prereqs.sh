#!/usr/bin/env bash
# Checks (and, as root, installs) what `make run` / `make test` need from the system.
# Usage: scripts/prereqs.sh run|test  -> prints the Python interpreter to use on the last line.
# NEXIOQ_PACKAGE_LOCK: the package-lock.json whose engines Node must satisfy (default: the project's).
set -euo pipefail
mode="${1:-run}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock="${NEXIOQ_PACKAGE_LOCK:-$root/package-lock.json}"
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

# Node must satisfy the engines.node of every package in the lock (npm ci refuses otherwise, see
# .npmrc), so this check moves with the packages. Ranges are read by the semver module npm itself
# ships, looked up from the npm in use, never parsed by hand.
engines_js='
const [lockPath, ...npmDirs] = process.argv.slice(1);
let semver;
for (const paths of [...npmDirs.map((dir) => [dir]), undefined]) {
  try { semver = require(require.resolve("semver", paths && { paths })); break; } catch {}
}
if (!semver) {
  console.log(`A way to check Node.js against ${lockPath}: the semver module of npm was not found (looked from ${npmDirs.join(", ")} and the global paths of Node); reinstall npm`);
  process.exit(1);
}
let lock;
try { lock = JSON.parse(require("fs").readFileSync(lockPath, "utf8")); } catch (error) {
  console.log(`A readable ${lockPath}: ${error.message}`);
  process.exit(1);
}
let ok = true;
for (const [key, entry] of Object.entries(lock.packages || {})) {
  const range = entry.engines && entry.engines.node;
  if (typeof range !== "string") continue;
  // includePrerelease: as the engine check of npm itself.
  if (!semver.satisfies(process.version, range, { includePrerelease: true })) {
    const name = key === "" ? "this project" : key.split("node_modules/").pop();
    console.log(`Node.js ${range} for ${name}, as declared in ${lockPath} (found ${process.version}): see https://nodejs.org or the nodejs package of your distribution`);
    ok = false;
  }
}
process.exit(ok ? 0 : 1);
'
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  npm_dirs=("$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")")
  npm_global="$(npm root -g 2>/dev/null || true)"
  [ -z "$npm_global" ] || npm_dirs+=("$npm_global/npm")
  if ! engine_problems=$(node -e "$engines_js" "$lock" "${npm_dirs[@]}"); then
    while IFS= read -r problem; do [ -z "$problem" ] || missing+=("$problem"); done <<< "$engine_problems"
    [ -n "$engine_problems" ] || missing+=("Node.js checked against $lock: the check itself failed (see above)")
  fi
elif command -v node >/dev/null 2>&1; then
  missing+=("npm (found Node.js $(node --version) without it): apt-get install npm")
else
  missing+=("Node.js (a version every engines.node in package-lock.json accepts) and npm: apt-get install nodejs npm")
fi

command -v msgfmt >/dev/null 2>&1 || apt_packages+=(gettext)
# Celery's broker, for `make run` and for the suite's own servers (nexioq/devservers.py starts it on loopback).
command -v redis-server >/dev/null 2>&1 || apt_packages+=(redis-server)
if [ "$mode" = "test" ]; then
  [ -x /usr/bin/chromium ] || apt_packages+=(chromium)
  # The production rehearsal runs identity on a throw-away PostgreSQL cluster (deploy/postgres.py):
  # Debian's server binaries, which are not on PATH. NEXIOQ_POSTGRES_LIB: where to look (tests).
  compgen -G "${NEXIOQ_POSTGRES_LIB:-/usr/lib/postgresql}/*/bin/initdb" >/dev/null || apt_packages+=(postgresql)
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

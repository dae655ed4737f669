# Shared by the install scripts: pinned versions and the cache outside the work tree.
# Everything downloaded or built lands in $ORDER_PLATFORM_CACHE/<tool>/<version>, so a second
# run (or a second clone) reuses it, and nothing downloaded ever sits in the repository.
set -euo pipefail
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../versions.env
source "$TOOLS_DIR/versions.env"
ORDER_PLATFORM_CACHE="${ORDER_PLATFORM_CACHE:-$HOME/.cache/order-platform}"
export ORDER_PLATFORM_CACHE

log() { printf '[toolchain] %s\n' "$*" >&2; }

# Runs "$@" with a lock on the tool's cache folder, so parallel runs (two test processes, a
# start and a test) never build into the same folder at once.
with_lock() {
  local dir="$1"; shift
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  flock 9
  "$@"
  flock -u 9
}

# Resolves Maven artifacts with their runtime dependencies into a folder of jars. The pom is
# generated, so the versions stay in versions.env; Maven's own repository (~/.m2) is a cache too.
maven_copy_jars() {
  local out="$1" deps="$2" tmp
  tmp="$(mktemp -d)"
  cat >"$tmp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.order-platform</groupId><artifactId>toolchain-jars</artifactId><version>0</version>
  <packaging>pom</packaging>
  <dependencies>$deps</dependencies>
</project>
POM
  mvn -B -q -Dstyle.color=never -f "$tmp/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$out.partial" >&2
  rm -rf "$out" && mv "$out.partial" "$out"
  rm -rf "$tmp"
}

dep() { printf '<dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>' "$1" "$2" "$3"; }

# Installs Debian packages (as root, or through sudo) for tools the stack takes from Debian.
apt_install() {
  local sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@" >&2
}

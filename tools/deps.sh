# Debian 12 packages Latchkey needs to build and test. Sourced by tools/*.
# shellcheck shell=bash
LATCHKEY_DEPS=(
  meson ninja-build pkgconf clang
  libboost1.81-dev libboost-json1.81-dev
  librocksdb-dev libsimdjson-dev libssl-dev libargon2-dev libcrypt-dev
  libcpp-httplib-dev doctest-dev
  liboath-dev libqrencode-dev libsodium-dev
  libcurl4-openssl-dev python3-aiosmtpd
  python3 curl openssl
)

# Installs what is missing (as root), or prints the apt-get line to run.
latchkey_install_deps() {
  local missing=()
  for p in "${LATCHKEY_DEPS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages. Run as root:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "Installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures (once) and builds the release build in build/.
# Clang: Debian 12's GCC 12.2 destroys coroutine arguments twice (GCC PR 99576,
# fixed in GCC 13), which crashes Asio coroutine code; see README.
latchkey_build() {
  local root; root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [ ! -f "$root/build/build.ninja" ]; then
    CXX="${CXX:-clang++}" meson setup "$root/build" "$root" --buildtype=release >/dev/null
  fi
  ninja -C "$root/build"
}

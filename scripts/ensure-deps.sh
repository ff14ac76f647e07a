#!/usr/bin/env bash
# Checks for what building and testing kg needs beyond the Rust toolchain, and
# installs what is missing when it can (root with apt-get); otherwise prints the
# one command that fixes it and fails.
#
#   scripts/ensure-deps.sh build   # C++20 compiler + libclang (Oxigraph's RocksDB, bindgen)
#   scripts/ensure-deps.sh test    # build + graphviz, raptor2-utils, python3-networkx
set -euo pipefail
what="${1:-build}"

missing=()
have_libclang() {
  # What bindgen loads: libclang.so* or libclang-<version>.so* (libclang-cpp.so is a
  # different library that other packages install; it does not count).
  local d
  ldconfig -p 2>/dev/null | grep -Eq '[[:space:]]libclang(-[0-9.]+)?\.so' && return 0
  for d in /usr/lib/llvm-*/lib /usr/lib/*-linux-gnu /usr/lib ${LIBCLANG_PATH:-}; do
    compgen -G "$d/libclang.so*" >/dev/null && return 0
    compgen -G "$d/libclang-[0-9]*.so*" >/dev/null && return 0
  done
  return 1
}
have_cxx20() {
  command -v g++ >/dev/null || command -v clang++ >/dev/null || return 1
  local cxx; cxx=$(command -v g++ || command -v clang++)
  echo 'int main(){ auto f = [](auto x) requires true { return x; }; return f(0); }' |
    "$cxx" -std=c++20 -x c++ - -o /dev/null >/dev/null 2>&1
}
command -v cargo >/dev/null || { echo "error: cargo not found: install Rust with rustup (https://rustup.rs)" >&2; exit 1; }
have_cxx20 || missing+=(g++ build-essential)
have_libclang || missing+=(libclang-dev clang)
command -v make >/dev/null || missing+=(make)
if [ "$what" = test ]; then
  command -v dot >/dev/null || missing+=(graphviz)
  command -v rapper >/dev/null || missing+=(raptor2-utils)
  /usr/bin/python3 -c 'import networkx' >/dev/null 2>&1 || python3 -c 'import networkx' >/dev/null 2>&1 ||
    missing+=(python3-networkx)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "kg: missing system packages: ${missing[*]}" >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "kg: installing them with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  exit 0
fi
echo "kg: run this, then try again:  sudo apt-get install -y ${missing[*]}" >&2
exit 1

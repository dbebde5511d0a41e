# The sanitizer build shared by tools/fuzz and tools/test's CI run. Sourced.
# shellcheck shell=bash
#
# clang 14 + ASan + UBSan + libFuzzer coverage (-Dfuzz=true), so one build
# serves both the sanitized test suites and the fuzz targets.
# -fno-sanitize=function: UBSan's function-type check (part of
#   -fsanitize=undefined for C++ in clang 14) puts a prologue in each function
#   that refers to its type data by a PC-relative difference; the .resume and
#   .destroy clones of a split coroutine land where that difference cannot be
#   encoded, and the backend stops with "Cannot represent a difference across
#   sections" (llvm/llvm-project#49689). ASan alone compiles our coroutines.
#   The check only catches calls through a mistyped function pointer.
# -fno-sanitize-recover=all: a UBSan report aborts, so a test or fuzz run fails.
# -O1 -gline-tables-only: what ASan recommends; compiles far faster than -O2 -g
#   on our two cores and still gives file:line in reports. (-O0 compiles a
#   heavy file such as services/sessions.cpp ~40% faster, but slows the
#   sanitized suites and the fuzzers' executions; see README.)
# -fuse-ld=lld: links each sanitized executable 3-4x faster than GNU ld
#   (unit_tests: 0.4 s of CPU against 1.5 s); links are a small part of the
#   build, so this saves only ~20 s of CPU over the 14 of them.
LATCHKEY_SANITIZE_CPP_ARGS="-O1 -gline-tables-only -fno-sanitize=function -fno-sanitize-recover=all"

# libFuzzer and the ASan/UBSan runtimes for clang 14 (libclang_rt.*), and
# llvm-symbolizer on PATH (package llvm) for file:line in reports.
LATCHKEY_DEPS+=(libclang-rt-14-dev llvm lld)

# Configures DIR (once) as the sanitizer build.
latchkey_sanitize_setup() {
  local dir=$1
  [ -f "$dir/build.ninja" ] && return 0
  CXX=clang++ meson setup "$dir" . --buildtype=plain -Db_sanitize=address,undefined -Db_lundef=false \
    -Dfuzz=true -Dcpp_args="$LATCHKEY_SANITIZE_CPP_ARGS" -Dcpp_link_args=-fuse-ld=lld >/dev/null
}

# The fuzz target names, one a line, from tests/fuzz/meson.build (one quoted
# name per line in its list).
latchkey_fuzz_targets() {
  sed -n "s/^  '\([a-z_]*\)',$/\1/p" "$(dirname "${BASH_SOURCE[0]}")/../tests/fuzz/meson.build"
}

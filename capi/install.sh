#!/usr/bin/env bash
# Installs the massive-mimo C library under a prefix:
#   PREFIX/lib/libmassive_mimo_c.{a,so}, PREFIX/include/massive_mimo.h (+ massive_mimo.hpp, C++ RAII),
#   PREFIX/lib/pkgconfig/massive-mimo.pc
# Usage: capi/install.sh PREFIX   (builds the release library first)
# Then:  cc app.c $(PKG_CONFIG_PATH=PREFIX/lib/pkgconfig pkg-config --cflags --libs massive-mimo)
#        (add --static to pkg-config to link the static library and its system libraries)
set -euo pipefail
prefix=${1:?usage: capi/install.sh PREFIX}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release -p massive-mimo-capi
target=${CARGO_TARGET_DIR:-$root/target}/release
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
prefix=$(cd "$prefix" && pwd)
install -m 644 "$target/libmassive_mimo_c.a" "$prefix/lib/"
install -m 755 "$target/libmassive_mimo_c.so" "$prefix/lib/"
install -m 644 capi/include/massive_mimo.h capi/include/massive_mimo.hpp "$prefix/include/"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
cat > "$prefix/lib/pkgconfig/massive-mimo.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: massive-mimo
Description: Massive-MIMO baseband processing (C ABI)
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lmassive_mimo_c
Libs.private: -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
PC
echo "installed massive-mimo $version under $prefix"

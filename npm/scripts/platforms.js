'use strict';
// The platform packages: one npm package per native target, napi-rs's layout and names
// (azcred-<platform>-<arch>[-<abi>], holding azcred.<platform>-<arch>[-<abi>].node). Read by the
// loader (lib/backend.js), the cross build (scripts/build-platforms.js) and the packaging test.
//
// `built: true` marks the targets this repository builds (and CI checks); only those are in the
// main package's optionalDependencies. The others need their vendor's SDK (Windows: MSVC;
// macOS: Xcode) and run the wasm backend until their builds exist.

const targets = [
  { name: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc', triple: 'x86_64-unknown-linux-gnu', zig: 'x86_64-unknown-linux-gnu.2.17', built: true },
  { name: 'linux-x64-musl', os: 'linux', cpu: 'x64', libc: 'musl', triple: 'x86_64-unknown-linux-musl', zig: 'x86_64-unknown-linux-musl', built: true },
  { name: 'linux-arm64-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc', triple: 'aarch64-unknown-linux-gnu', zig: 'aarch64-unknown-linux-gnu.2.17', built: true },
  { name: 'linux-arm64-musl', os: 'linux', cpu: 'arm64', libc: 'musl', triple: 'aarch64-unknown-linux-musl', zig: 'aarch64-unknown-linux-musl', built: true },
  { name: 'win32-x64-msvc', os: 'win32', cpu: 'x64', triple: 'x86_64-pc-windows-msvc', built: false },
  { name: 'darwin-x64', os: 'darwin', cpu: 'x64', triple: 'x86_64-apple-darwin', built: false },
  { name: 'darwin-arm64', os: 'darwin', cpu: 'arm64', triple: 'aarch64-apple-darwin', built: false },
];

const binaryName = 'azcred';
const packageName = (t) => `${binaryName}-${t.name}`;
const fileName = (t) => `${binaryName}.${t.name}.node`;

module.exports = { targets, binaryName, packageName, fileName };

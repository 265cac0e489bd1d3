#!/usr/bin/env bash
# Sets up a fresh Debian machine for building and testing: system packages, npm packages, code-server, the agent.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(clang-19 llvm-19 libbpf-dev bpftool iproute2 openssh-server openssh-client chromium libkrb5-dev
  ripgrep libelf-dev zlib1g-dev libzstd-dev make gcc neovim
  qemu-system-x86 busybox-static zstd xz-utils lz4 util-linux)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# A fresh machine has /sys/fs/bpf as an empty directory with no bpf filesystem on it: pinning (and the
# tests that load programs) need one. Mount it when we can (root); otherwise say what to run.
if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" != "bpf_fs" ]; then
  if [ "$(id -u)" -eq 0 ] && mkdir -p /sys/fs/bpf 2>/dev/null && mount -t bpf bpf /sys/fs/bpf; then
    echo "setup: mounted the bpf filesystem at /sys/fs/bpf (it was not mounted)"
  else
    echo "setup: warning: /sys/fs/bpf is not a bpf filesystem; as root run: mount -t bpf bpf /sys/fs/bpf"
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ -f agent/Makefile ]; then
  echo "setup: building the agent"
  make -s -C agent
fi


# The agent's aarch64 build (remote hosts on arm64): Debian's cross gcc plus arm64 multiarch libraries.
# Optional: a failure here only warns, since x86_64 hosts (and every test) need just the native agent.
aarch64_agent() {
if [ -f agent/Makefile ] && [ "$(uname -m)" = x86_64 ]; then
  ROOTCMD=""; [ "$(id -u)" -eq 0 ] || ROOTCMD="sudo"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $ROOTCMD dpkg --add-architecture arm64
    $ROOTCMD apt-get update -qq
  fi
  cross=()
  # qemu-system-arm boots arm64 kernels for the matrix (test/core/vm/arm64.test.ts).
  for p in gcc-aarch64-linux-gnu libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64 qemu-system-arm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || cross+=("$p")
  done
  if ((${#cross[@]})); then
    echo "setup: installing the agent's aarch64 cross toolchain: ${cross[*]}"
    DEBIAN_FRONTEND=noninteractive $ROOTCMD apt-get install -y -qq "${cross[@]}" >/dev/null
  fi
  echo "setup: building the aarch64 agent"
  make -s -C agent aarch64
fi
}
if ! (set -e; aarch64_agent); then echo "setup: warning: the aarch64 agent was not built (cross toolchain unavailable)"; fi

bash scripts/install-code-server.sh
echo "setup: done"

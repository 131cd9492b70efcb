#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those that are missing.
# Usage: scripts/deps.sh [host|mpi|mcu|riscv|avr|cross|library|plot|fuzz|all]...   (default: host)
# library: what tests/test_library.c builds with (CMake, jq for library.json, g++ for the Arduino
# sketch, an aarch64 compiler and qemu-user for the FMA check).
# cross: the determinism tests' other CPUs (qemu-user for x86-64 without AVX and for aarch64,
# the aarch64 cross compiler, and OpenBLAS for arm64 from Debian's multiarch, for which the
# arm64 architecture is added to dpkg).
# mpi: Open MPI (headers, libmpi, mpirun) for data-parallel atome-train; procps's pgrep for its tests.
# avr: the 8-bit AVR firmware (mk/avr.mk): avr-gcc, avr-libc, qemu-system-avr (in qemu-system-misc) and
# simavr, which counts its cycles (scripts/avr.sh).
# Runs `apt-get update` at most once per call, and uses sudo when not root.
set -eu
want=()
for group in "${@:-host}"; do
  case "$group" in
    host)  want+=(gcc make libopenblas-dev check pkg-config) ;;
    mpi)   want+=(libopenmpi-dev openmpi-bin procps) ;;
    mcu)   want+=(gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm) ;;
    riscv) want+=(gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc) ;;
    avr)   want+=(gcc-avr avr-libc binutils-avr qemu-system-misc simavr) ;;
    cross) want+=(qemu-user gcc-aarch64-linux-gnu libopenblas-dev:arm64) ;;
    library) want+=(cmake jq g++ gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user) ;;
    plot)  want+=(gnuplot-nox) ;;
    fuzz)  want+=(clang libclang-rt-14-dev libomp-14-dev) ;; # libclang-rt-14-dev holds libFuzzer, libomp -fopenmp
    all)   want+=(gcc make libopenblas-dev check pkg-config gcc-arm-none-eabi libnewlib-arm-none-eabi
                  qemu-system-arm gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc gnuplot-nox
                  gcc-avr avr-libc binutils-avr simavr
                  qemu-user gcc-aarch64-linux-gnu libopenblas-dev:arm64
                  cmake jq g++ libc6-dev-arm64-cross
                  clang libclang-rt-14-dev libomp-14-dev
                  libopenmpi-dev openmpi-bin procps) ;;
    *) echo "deps.sh: unknown group '$group' (host, mpi, mcu, riscv, avr, cross, library, plot, fuzz, all)" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
case " ${missing[*]}" in
  *:arm64*) dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64 ;;
esac
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

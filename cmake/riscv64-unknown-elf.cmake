# riscv64-unknown-elf.cmake — toolchain file for a bare-metal RISC-V build (gcc-riscv64-unknown-elf,
# picolibc). The ISA comes from ATOME_RISCV_ARCH (default: rv32imac, as on QEMU's virt board).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv)
set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(ATOME_RISCV_ARCH "-march=rv32imac -mabi=ilp32" CACHE STRING "ISA and ABI flags")
set(CMAKE_C_FLAGS_INIT "${ATOME_RISCV_ARCH} --specs=picolibc.specs")

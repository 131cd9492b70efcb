# arm-none-eabi.cmake — toolchain file for a bare-metal Cortex-M build (gcc-arm-none-eabi, newlib-nano).
# The CPU comes from ATOME_ARM_CPU (default: Cortex-M4F, as on QEMU's mps2-an386), e.g.
#   -DATOME_ARM_CPU="-mcpu=cortex-m0 -mthumb"
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
# No host runtime to link a test program against: CMake's compiler check builds a library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(ATOME_ARM_CPU "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" CACHE STRING "CPU flags")
set(CMAKE_C_FLAGS_INIT "${ATOME_ARM_CPU}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=nano.specs")

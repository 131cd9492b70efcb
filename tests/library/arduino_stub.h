/* arduino_stub.h — the little of Arduino.h that examples/firmware_loop/firmware_loop.ino uses, on
 * the host: Serial writes to stdout. tests/test_library.c force-includes it into the sketch. */
#include <stdint.h>
#include <stdio.h>

struct SerialStub {
    void begin(long) {}
    size_t write(uint8_t b) { return fputc(b, stdout) != EOF; }
    size_t println() { return fputc('\n', stdout) != EOF; }
};
static SerialStub Serial __attribute__((unused)); /* unused in arduino_main.cpp */

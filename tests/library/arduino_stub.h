/* arduino_stub.h — the little of Arduino.h that examples/firmware_loop/firmware_loop.ino and
 * examples/sensor_classifier/sensor_classifier.ino use, on the host: Serial writes to stdout.
 * tests/test_library.c force-includes it into the sketches. */
#include <stdint.h>
#include <stdio.h>

struct SerialStub {
    void begin(long) {}
    size_t write(uint8_t b) { return fputc(b, stdout) != EOF; }
    size_t println() { return fputc('\n', stdout) != EOF; }
    size_t println(const char *s) { return fputs(s, stdout) != EOF && fputc('\n', stdout) != EOF; }
};
static SerialStub Serial __attribute__((unused)); /* unused in arduino_main.cpp */

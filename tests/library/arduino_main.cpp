// arduino_main.cpp — what an Arduino core does with a sketch: setup() once, then loop() (once here).
#include <stdio.h>
void setup();
void loop();
int main() {
    setup();
    loop();
    return fflush(stdout) != 0;
}

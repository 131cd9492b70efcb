/* main.c — runs every suite listed in suites.def in one libcheck runner. */
#include <check.h>
#include <stdlib.h>

#define SUITE(name) Suite *name(void);
#include "suites.def"
#undef SUITE

int main(void) {
    /* Suites run make themselves (a firmware, a tool): without this, a `make -j2 test` hands them its
     * jobserver, which they cannot use, and its warning lands in the output they parse. */
    unsetenv("MAKEFLAGS"), unsetenv("MFLAGS"), unsetenv("MAKELEVEL");
    SRunner *sr = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(sr, name());
#include "suites.def"
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test_avr.c — the 8-bit AVR firmware (mk/avr.mk: checkpoints/nano.bin on the Arduino Mega 2560)
 * under qemu-system-avr -M mega2560 prints, byte for byte, the parity text the host engine computes
 * here from the same checkpoint (infer/firmware/fw_digest.h: the CRC of all 256 logits at every
 * position), runs to its end, and reports a peak RAM within the ATmega2560's 8 KB. About a second
 * of QEMU; scripts/avr_run.sh ends the run at the firmware's "exit" line.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../infer/atome.h"
#include "../infer/firmware/fw_digest.h"
#include "util.h"

#define AVR_ELF "build/avr/mega2560/nano.elf"
#define AVR_RAM 8192u

static atome_state host_state;

START_TEST(avr_firmware_matches_host) {
    ck_assert_int_eq(run_cmd("make -s " AVR_ELF, NULL, 0), 0);
    size_t len;
    uint8_t *blob = (uint8_t *)read_all("checkpoints/nano.bin", &len); /* malloc'd: 4-aligned */
    text_buf want = {0};
    atome_model m;
    text_append("", &want);
    ck_assert_int_eq(fw_digest(blob, len, &m, &host_state, text_append, &want), ATOME_OK);

    enum { CAP = 1 << 20 };
    char *out = malloc(CAP);
    ck_assert_ptr_nonnull(out);
    int rc = run_cmd("scripts/avr_run.sh " AVR_ELF " 120 </dev/null", out, CAP);
    char *begin = strstr(out, "atome-digest "), *end = begin ? strstr(begin, "\nend ") : NULL;
    ck_assert_msg(rc == 0 && begin && end, "exit %d, output:\n%.400s", rc, out);
    end = strchr(end + 1, '\n');
    ck_assert_ptr_nonnull(end);
    char saved = end[1];
    end[1] = 0;
    if (strcmp(want.p, begin) != 0) {
        const char *w = want.p, *g = begin;
        int line = 1;
        for (; *w && *w == *g; w++, g++) line += *w == '\n';
        while (w > want.p && w[-1] != '\n') w--, g--;
        ck_abort_msg("nano on the AVR: line %d differs\n  host: %.60s\n  avr:  %.60s", line, w, g);
    }
    end[1] = saved;

    /* "ram static <.data + .bss> stack <high-water mark>": both measured, their sum within the RAM */
    const char *ram = strstr(end, "ram static ");
    unsigned stat_bytes = 0, stack = 0;
    ck_assert_msg(ram && sscanf(ram, "ram static %u stack %u", &stat_bytes, &stack) == 2, "no RAM line:\n%s", end);
    ck_assert_msg(stat_bytes > 0 && stack > 0 && stat_bytes + stack <= AVR_RAM, "RAM %u + stack %u of %u",
                  stat_bytes, stack, AVR_RAM);
    ck_assert_ptr_nonnull(strstr(end, "\nexit 0\n"));
    free(out), free(want.p), free(blob);
}
END_TEST

Suite *avr_suite(void) {
    Suite *s = suite_create("avr");
    TCase *tc = tcase_create("qemu");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, avr_firmware_matches_host);
    suite_add_tcase(s, tc);
    return s;
}

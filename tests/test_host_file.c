/* test_host_file.c — the host side's one whole-file reader (common/host_file.c) and the repo's
 * one little-endian codec (common/atome_le.h). */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/atome_le.h"
#include "../common/host_file.h"
#include "util.h"

static char dir[64];

static void setup(void) { scratch_dir(dir, sizeof dir, "atome-host-file"); }
static void teardown(void) { scratch_remove(dir); }

/* Reads path with limit max; checks the result against want[n] (NULL: must fail with errno e
 * and an err line holding needle). */
static void expect_read(const char *path, size_t max, const char *want, size_t n, int e, const char *needle) {
    uint8_t *b = (uint8_t *)1;
    size_t len = 7;
    char err[256] = "";
    int r = host_read_file(path, max, &b, &len, err, sizeof err);
    if (want) {
        ck_assert_msg(r == 0, "%s: %s", path, err);
        ck_assert_uint_eq(len, n);
        ck_assert_mem_eq(b, want, n);
        ck_assert_int_eq(b[n], 0); /* NUL after the last byte */
        free(b);
        return;
    }
    ck_assert_int_eq(r, -1);
    ck_assert_ptr_null(b);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(errno, e);
    ck_assert_msg(strstr(err, needle) && !strchr(err, '\n'), "'%s' does not say '%s'", err, needle);
}

START_TEST(reads_whole_files) {
    char path[128], big[200000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(i * 31 + 7);
    snprintf(path, sizeof path, "%s/big.bin", dir);
    write_file(path, big, sizeof big);
    expect_read(path, sizeof big, big, sizeof big, 0, NULL);      /* exactly at the limit */
    expect_read(path, SIZE_MAX, big, sizeof big, 0, NULL);        /* no limit */
    expect_read(path, sizeof big - 1, NULL, 0, EFBIG, "is larger than 199999 bytes");
    snprintf(path, sizeof path, "%s/empty.bin", dir);
    write_file(path, "", 0);
    expect_read(path, 10, "", 0, 0, NULL);
    expect_read("/dev/null", 10, "", 0, 0, NULL);                 /* not a regular file */
    /* a pipe, whose size is unknown until it ends, longer than the first buffer */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "mkfifo %s/fifo && (head -c 200000 %s/big.bin > %s/fifo &)", dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/fifo", dir);
    expect_read(path, SIZE_MAX, big, sizeof big, 0, NULL);
    snprintf(path, sizeof path, "%s/missing.bin", dir);
    expect_read(path, 10, NULL, 0, ENOENT, "cannot open ");
    expect_read(dir, 10, NULL, 0, EISDIR, " is a directory");
}
END_TEST

START_TEST(little_endian_codec) {
    uint8_t b[8];
    atome_le_put_u32(b, 0x11223344u);
    ck_assert_mem_eq(b, "\x44\x33\x22\x11", 4);
    ck_assert_uint_eq(atome_le_get_u32(b), 0x11223344u);
    atome_le_put_u64(b, 0x0102030405060708ull);
    ck_assert_mem_eq(b, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
    ck_assert(atome_le_get_u64(b) == 0x0102030405060708ull);
    atome_le_put_f32(b, 1.0f);
    ck_assert_mem_eq(b, "\x00\x00\x80\x3f", 4);
    ck_assert(atome_le_get_f32(b) == 1.0f);
    atome_le_put_f64(b, -2.0);
    ck_assert_mem_eq(b, "\x00\x00\x00\x00\x00\x00\x00\xc0", 8);
    ck_assert(atome_le_get_f64(b) == -2.0);
    atome_le_put_f64(b, NAN);
    ck_assert(isnan(atome_le_get_f64(b)));
    /* any alignment */
    uint8_t odd[9];
    atome_le_put_u64(odd + 1, 0xfedcba9876543210ull);
    ck_assert(atome_le_get_u64(odd + 1) == 0xfedcba9876543210ull);
}
END_TEST

Suite *host_file_suite(void) {
    Suite *s = suite_create("host_file");
    TCase *t = tcase_create("host_file");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, reads_whole_files);
    tcase_add_test(t, little_endian_codec);
    suite_add_tcase(s, t);
    return s;
}

/* occupancy.c — UCI Occupancy Detection (LuisM78/Occupancy-detection-data) to occupancy_train.csv
 * (datatraining.txt), occupancy_test1.csv (datatest.txt) and occupancy_test2.csv (datatest2.txt).
 *
 * The sources are R write.csv output: a header of 7 quoted names but 8 fields a row (a quoted row
 * number, then the date, quoted in two files and not in the third). Kept: the five sensor columns
 * and the label, their text copied byte for byte (no float is re-printed), under the header
 * `Temperature,Humidity,Light,CO2,HumidityRatio,Occupancy`. Dropped: the row number and the date
 * (a timestamp is no sensor reading, and the test files lie outside the training period). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "datasets.h"

static const char header_in[] =
    "\"date\",\"Temperature\",\"Humidity\",\"Light\",\"CO2\",\"HumidityRatio\",\"Occupancy\"";
static const char header_out[] = "Temperature,Humidity,Light,CO2,HumidityRatio,Occupancy\n";

static int convert_file(const char *shared, const char *name, text_buf *b) {
    char path[4096], *src;
    size_t n;
    if (read_source(shared, name, &src, &n, path, sizeof path)) return -1;
    unsigned line = 0, rows = 0;
    int rc = -1;
    tb_put(b, header_out, strlen(header_out));
    for (char *s = src; *s;) {
        char *nl = strchr(s, '\n');
        if (!nl) {
            fprintf(stderr, "atome-datasets: %s:%u: the last line has no line end\n", path, line + 1);
            goto done;
        }
        *nl = 0;
        if (nl > s && nl[-1] == '\r') nl[-1] = 0;
        line++;
        if (line == 1) {
            if (strcmp(s, header_in)) {
                fprintf(stderr, "atome-datasets: %s:1: not the expected header %s\n", path, header_in);
                goto done;
            }
        } else {
            char *field[9];
            int k = 0;
            field[k++] = s;
            for (char *c = s; *c; c++)
                if (*c == ',') {
                    *c = 0;
                    if (k == 9) break;
                    field[k++] = c + 1;
                }
            if (k != 8) {
                fprintf(stderr, "atome-datasets: %s:%u: %d fields, want 8 (row number, date, 5 sensors, label)\n",
                        path, line, k);
                goto done;
            }
            for (int f = 2; f < 8; f++) {
                char *e;
                strtof(field[f], &e);
                if (e == field[f] || *e) {
                    fprintf(stderr, "atome-datasets: %s:%u: field %d '%s' is not a number\n", path, line, f + 1,
                            field[f]);
                    goto done;
                }
                tb_printf(b, "%s%c", field[f], f < 7 ? ',' : '\n');
            }
            rows++;
        }
        s = nl + 1;
    }
    printf("occupancy: %s, %u rows\n", name, rows);
    rc = 0;
done:
    free(src);
    return rc;
}

int convert_occupancy(const char *shared, const char *out) {
    static const char *const in[3] = {"occupancy/datatraining.txt",
                                      "occupancy/datatest.txt", "occupancy/datatest2.txt"};
    static const char *const name[3] = {"occupancy_train.csv", "occupancy_test1.csv", "occupancy_test2.csv"};
    text_buf b[3] = {{0}};
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++) rc = convert_file(shared, in[i], &b[i]);
    for (int i = 0; i < 3 && !rc; i++) rc = write_output(out, name[i], &b[i]);
    for (int i = 0; i < 3; i++) tb_free(&b[i]);
    return rc;
}

/* datasets.h — the converters that cut the bundled classifier sets (the .tsv and .csv files of data/)
 * from the staged sources, byte for byte reproducibly (`make datasets SHARED=DIR`). Each one
 * builds all its output in memory and writes it only when every input was read cleanly, each
 * file through a temporary and a rename, so a failure leaves data/ as it was. */
#ifndef TOOLS_DATASETS_H
#define TOOLS_DATASETS_H
#include <stddef.h>
#include <stdint.h>

/* The seed of every split the converters make (SMS Spam, Magic Wand). */
#define DATASETS_SPLIT_SEED 1

typedef struct {
    char *p;
    size_t n, cap;
} text_buf;

void tb_put(text_buf *b, const void *bytes, size_t n);
void tb_printf(text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tb_free(text_buf *b);

/* dir/name read whole into *bytes (NUL-terminated); its path into path[cap]. Returns 0 or -1 with
 * the message printed. */
int read_source(const char *dir, const char *name, char **bytes, size_t *n, char *path, size_t cap);
/* Writes b to dir/name (temporary, then rename). Returns 0 or -1 with the message printed. */
int write_output(const char *dir, const char *name, const text_buf *b);

/* Each converter: reads its sources under shared, writes its files into out; 0 or -1. */
int convert_clinc150(const char *shared, const char *out);
int convert_sms_spam(const char *shared, const char *out);
int convert_occupancy(const char *shared, const char *out);
int convert_magic_wand(const char *shared, const char *out);

#endif

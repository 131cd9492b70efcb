/* options.h — atome-train's command line: the option table, --help, parsing, and the checks
 * that turn it into train_settings. The CLI (atome_train.c) owns the loop; this owns the words.
 *
 * Every bad option ends the program through cli_die: one line "atome-train: ..." on stderr and
 * exit status EXIT_BAD_INPUT, before anything is written.
 */
#ifndef TRAIN_OPTIONS_H
#define TRAIN_OPTIONS_H
#include <stddef.h>
#include <stdint.h>
#include "arch.h"
#include "checkpoint.h"
#include "settings.h"

enum { EXIT_BAD_INPUT = 1, EXIT_DIVERGED = 3 };

/* Prints "atome-train: " and the message on stderr, exits with EXIT_BAD_INPUT. */
void cli_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* What the command line said (defaults filled in by cli_parse). */
typedef struct {
    const char *data, *valid, *out, *prompt, *schedule, *init; /* init: --init BLOB, or NULL */
    const char *task, *test, *label_col; /* --task classify's data options (NULL if not given) */
    arch_args model;
    int resume, help;
    int64_t d_model, n_layers, d_head, window, save_every, sample, threads; /* dimensions: 0 if not given */
    train_settings set;
} options;

/* One entry of the option table: name, kind, where its value goes. */
typedef struct {
    const char *name;
    char kind;       /* i: integer, u: unsigned 64-bit, f: number, s: string, b: switch */
    void *dst;
    int given;
} option;


#define N_OPTS 40

/* The --help text. */
extern const char cli_usage[];

/* Fills *o with the defaults, then with argv (dying on an unknown, repeated, valueless or
 * out-of-range option); t gets the table, each entry marked if given. */
void cli_parse(int argc, char **argv, options *o, option *t);

/* The table entry of an option name (NULL for a name not in it). */
option *cli_find(option *t, const char *name);

/* The model (arch.h: the architecture, its preset, any dimension given), then the schedule and
 * the defaults that depend on other options; dies on a bad combination. */
void cli_resolve(options *o, option *t);

/* --resume: the checkpoint's settings ck win; dies if a setting given on the command line
 * disagrees with them (path names the checkpoint in the message). */
void cli_check_resume(const train_settings *ck, const options *o, option *t, const char *path);

#endif

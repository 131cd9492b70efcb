/* train_cli.h — what the atome-train command-line suites share (test_train_cli.c,
 * test_train_cli_vanilla.c). @D in an argument string stands for the scratch directory. */
#ifndef TESTS_TRAIN_CLI_H
#define TESTS_TRAIN_CLI_H
#include <sys/types.h>

/* The running test's scratch directory: train.txt and valid.txt (scratch_data_dir). */
extern char cli_dir[32];
/* The last train()'s stdout and stderr. */
extern char out_text[1 << 16], err_text[1 << 16];

/* Checked fixture: makes and removes cli_dir. */
void train_cli_setup(void);
void train_cli_teardown(void);

/* Replaces each @D in raw with the scratch directory (malloc'd). */
char *expand_dir(const char *raw);
/* Runs `./atome-train ARGS` (ARGS formatted, @D expanded) to completion; returns its exit status
 * (128+n if killed by signal n), with its stdout and stderr in out_text and err_text. */
int train(const char *fmt, ...);
/* Starts ./atome-train in the background (exec'd by the shell, so the pid is the trainer's). */
pid_t train_bg(const char *fmt, ...);
int wait_status(pid_t pid);
/* Waits until path exists, failing the test if the run ends first. */
void wait_for_file(const char *path, pid_t pid);
/* Every file under the scratch directory with its CRC and size (malloc'd). */
char *listing(void);
/* 1 if @D/sub holds exactly what a finished run leaves (model: model.bin or model.vnl). */
int only_run_files(const char *sub, const char *model);
int count_lines(const char *s);
/* The file at path into buf[cap] (cut to fit), or "" if it cannot be read. */
void slurp(const char *path, char *buf, size_t cap);
/* ./atome-train --sample 0 ARGS must exit 1 with one line naming the problem (containing want),
 * print nothing on stdout, and leave the listing as before. */
void refused(const char *args, const char *want, const char *before);
/* @D/t1 and @D/t2 hold the same checkpoint and model; @D/other[k][0] do not (they differ in what
 * other[k][1] names). */
void same_across_threads(const char *model, const char *const other[][2], int n_other);
/* Stops a run by sig, resumes it, and checks it ends byte-identical to one never stopped. */
void stop_and_resume(int sig, const char *arch, const char *model);

#define TINY "--preset nano --batch 4 --seq 32 --data @D/train.txt --valid @D/valid.txt"
/* The vanilla baseline at its smallest preset (5,968 parameters), the same windows. */
#define VTINY "--arch vanilla --vanilla-preset flash-fair --batch 4 --seq 32 --data @D/train.txt --valid @D/valid.txt"

#endif

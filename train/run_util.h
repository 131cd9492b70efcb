/* run_util.h — what both of atome-train's tasks (the language model's loop in atome_train.c, the
 * classifier's in classify_train.c) share around their loops. Each failure ends the program
 * through cli_die (options.h): one line, exit 1. */
#ifndef TRAIN_RUN_UTIL_H
#define TRAIN_RUN_UTIL_H
#include <stdint.h>
#include <stdio.h>

/* "dir/name", malloc'd. */
char *path_in(const char *dir, const char *name);
/* The run's exclusive hold on --out (an advisory flock on the directory, dropped by the kernel when
 * the process ends, kill -9 too); a second run on it is refused. A no-op once held. */
void lock_out_dir(const char *dir);
/* Makes sure dir exists (created if missing, removed again if it cannot take files), holds its
 * lock, and takes files. */
void prepare_out_dir(const char *dir);
/* Keeps the log lines of evaluations at or before step (a killed run may have logged past its last
 * checkpoint, or died mid-line), so that a resumed run's log reads as one run's. */
void trim_log(const char *path, int64_t step);

/* Flushes f and dies naming `what` if any write to it failed (a full disk, /dev/full). */
void check_written(FILE *f, const char *what);
void check_stdout(void);
/* Seconds on the monotonic clock. */
double now(void);
/* s as "42s", "3m05s" or "1h02m" into buf (at least 16 bytes); returns buf. */
const char *hms(double s, char *buf);

#endif

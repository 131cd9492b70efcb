/* classify_train.h — atome-train --task classify (the loop and its contract: classify_train.c). */
#ifndef TRAIN_CLASSIFY_TRAIN_H
#define TRAIN_CLASSIFY_TRAIN_H
#include <signal.h>
#include "options.h"

/* Runs the classifier task of the parsed and resolved options o (table t) to its end and exits:
 * 0 done, 1 bad input (one line), 3 diverged, 128 + the signal if *stop was set (by the caller's
 * SIGINT/SIGTERM handler) and the checkpoint saved. Never returns. */
void classify_main(options *o, option *t, volatile sig_atomic_t *stop) __attribute__((noreturn));

#endif

/* train_cli.c — what the atome-train command-line suites share (test_train_cli.c,
 * test_train_cli_vanilla.c): a scratch directory, running the trainer and reading what it did.
 * Contracts in train_cli.h. */
#include "train_cli.h"
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../common/host_file.h"
#include "../train/checkpoint.h"
#include "util.h"

char cli_dir[32];
char out_text[1 << 16], err_text[1 << 16];

void train_cli_setup(void) { scratch_data_dir(cli_dir, sizeof cli_dir, "atome-train-test"); }
void train_cli_teardown(void) { scratch_remove(cli_dir); }
/* Replaces each @D in raw with the scratch directory (malloc'd). */
char *expand_dir(const char *raw) {
    char *out = malloc(8192), *o = out;
    for (const char *p = raw; *p; p++) {
        if (p[0] == '@' && p[1] == 'D') o += sprintf(o, "%s", cli_dir), p++;
        else *o++ = *p;
    }
    *o = 0;
    return out;
}

/* printf, then expand_dir. */
static char *expand(const char *fmt, va_list ap) {
    char raw[2048];
    vsnprintf(raw, sizeof raw, fmt, ap);
    return expand_dir(raw);
}

/* The file at path into buf[cap] (cut to fit), or "" if it cannot be read. */
void slurp(const char *path, char *buf, size_t cap) {
    uint8_t *b;
    size_t n;
    buf[0] = 0;
    if (host_read_file(path, SIZE_MAX, &b, &n, NULL, 0)) return;
    snprintf(buf, cap, "%s", (const char *)b);
    free(b);
}

/* Runs `./atome-train ARGS` (ARGS formatted, @D expanded) to completion; returns its exit status
 * (128+n if killed by signal n), with its stdout and stderr in out_text and err_text. The
 * captures live outside the scratch directory so that its listing shows only what the run made. */
int train(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *args = expand(fmt, ap);
    va_end(ap);
    char *cmd = malloc(strlen(args) + 256);
    sprintf(cmd, "./atome-train %s > %s.stdout 2> %s.stderr", args, cli_dir, cli_dir);
    int st = system(cmd);
    sprintf(cmd, "%s.stdout", cli_dir);
    slurp(cmd, out_text, sizeof out_text);
    unlink(cmd);
    sprintf(cmd, "%s.stderr", cli_dir);
    slurp(cmd, err_text, sizeof err_text);
    unlink(cmd);
    free(cmd);
    free(args);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Starts ./atome-train in the background (exec'd by the shell, so the pid is the trainer's). */
pid_t train_bg(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *args = expand(fmt, ap);
    va_end(ap);
    char *cmd = malloc(strlen(args) + 256);
    sprintf(cmd, "exec ./atome-train %s > /dev/null 2> %s.stderr", args, cli_dir);
    free(args);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    free(cmd);
    ck_assert_int_gt(pid, 0);
    return pid;
}

int wait_status(pid_t pid) {
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void wait_for_file(const char *path, pid_t pid) {
    for (int i = 0; i < 120000 && access(path, F_OK) != 0; i++) {
        int st;
        ck_assert_msg(waitpid(pid, &st, WNOHANG) == 0, "the run ended before writing %s", path);
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    ck_assert_msg(access(path, F_OK) == 0, "%s never appeared", path);
}

/* Every file under the scratch directory with its CRC and size: shows anything made or changed. */
char *listing(void) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cd %s && find . -exec sh -c 'if [ -f \"$1\" ]; then cksum \"$1\"; else echo \"$1\"; fi' _ {} \\; | sort", cli_dir);
    FILE *p = popen(cmd, "r");
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, p);
    buf[n] = 0;
    pclose(p);
    return buf;
}

/* 1 if directory @D/sub holds exactly what a finished run leaves: no temporaries. model is the
 * model file's name, model.bin or model.vnl. */
int only_run_files(const char *sub, const char *model) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A %s/%s | tr '\\n' ' ')\" = 'checkpoint.bin log.jsonl %s '", cli_dir, sub, model);
    return system(cmd) == 0;
}

int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* `./atome-train --sample 0 ARGS` (without --sample 0 if ARGS has one or is --task classify) must exit 1 with one line on stderr naming the
 * problem (containing want; @D expanded in both), print nothing on stdout, and leave the scratch
 * directory's listing as before. */
void refused(const char *args, const char *want, const char *before) {
    int lm = !strstr(args, "--sample ") && !strstr(args, "--task classify"); /* a classifier takes no --sample */
    int code = train("%s%s", lm ? "--sample 0 " : "", args);
    char *w = expand_dir(want);
    ck_assert_msg(code == 1, "%s: exit %d (%s)", args, code, err_text);
    ck_assert_msg(strncmp(err_text, "atome-train: ", 13) == 0 && strstr(err_text, w), "%s: stderr '%s', want '%s'",
                  args, err_text, w);
    ck_assert_msg(count_lines(err_text) == 1, "%s: %d lines on stderr", args, count_lines(err_text));
    ck_assert_msg(out_text[0] == 0, "%s: stdout '%s'", args, out_text);
    char *after = listing();
    ck_assert_msg(strcmp(before, after) == 0, "%s left files:\n%s\nwere:\n%s", args, after, before);
    free(after);
    free(w);
}

/* The runs in @D/t1 and @D/t2 (1 and 2 threads) wrote the same checkpoint.bin and model bytes;
 * each run other[k][0] (another other[k][1]) wrote different ones, so the check can fail. */
void same_across_threads(const char *model, const char *const other[][2], int n_other) {
    const char *files[2] = {"checkpoint.bin", model};
    char a[128], b[128];
    for (int i = 0; i < 2; i++) {
        snprintf(a, sizeof a, "%s/t1/%s", cli_dir, files[i]);
        snprintf(b, sizeof b, "%s/t2/%s", cli_dir, files[i]);
        ck_assert_msg(same_file(a, b), "%s differs between 1 and 2 threads", files[i]);
        for (int k = 0; k < n_other; k++) {
            snprintf(b, sizeof b, "%s/%s/%s", cli_dir, other[k][0], files[i]);
            ck_assert_msg(!same_file(a, b), "%s does not depend on the %s", files[i], other[k][1]);
        }
    }
}

/* The log line of an evaluation, without its wall-clock time. */
static char *log_without_times(const char *path) {
    size_t n;
    char *s = read_all(path, &n), *o = s;
    for (char *p = s; *p;) {
        if (!strncmp(p, ", \"time_s\": ", 12)) {
            while (*p != '}') p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return s;
}

/* Stops a run (SIGTERM: saved at a step boundary; SIGKILL: lost since its last save), resumes
 * it, and checks it ends byte-identical to the same run never stopped. arch: the model options
 * (TINY or VTINY), model: the model file it writes. */
void stop_and_resume(int sig, const char *arch, const char *model) {
    const char *run = "%s --steps 600 --eval-every 150 --save-every 40 --sample 0 --out @D/%s%s";
    ck_assert_int_eq(train(run, arch, "ref", ""), 0);
    pid_t pid = train_bg(run, arch, "cut", "");
    char ck[128], a[128], b[128];
    snprintf(ck, sizeof ck, "%s/cut/checkpoint.bin", cli_dir);
    wait_for_file(ck, pid);
    ck_assert_int_eq(kill(pid, sig), 0);
    int code = wait_status(pid);
    ck_assert_int_eq(code, 128 + sig);
    train_state s;
    char err[512];
    ck_assert_msg(checkpoint_load(ck, &s, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(s.step > 0 && s.step < 600, "stopped at step %lld", (long long)s.step);
    int64_t stopped = s.step;
    if (sig == SIGKILL) ck_assert_int_eq(stopped % 40, 0); /* only saves survive a kill -9 */
    state_free(&s);
    ck_assert_int_eq(train(run, arch, "cut", " --resume"), 0);
    char want[64];
    snprintf(want, sizeof want, "resumed at step %lld/600", (long long)stopped);
    ck_assert_msg(strstr(out_text, want) != NULL, "%s", out_text);
    const char *files[2] = {"checkpoint.bin", model};
    for (int i = 0; i < 2; i++) {
        snprintf(a, sizeof a, "%s/ref/%s", cli_dir, files[i]);
        snprintf(b, sizeof b, "%s/cut/%s", cli_dir, files[i]);
        ck_assert_msg(same_file(a, b), "%s of the resumed run differs", files[i]);
    }
    snprintf(a, sizeof a, "%s/ref/log.jsonl", cli_dir);
    snprintf(b, sizeof b, "%s/cut/log.jsonl", cli_dir);
    char *la = log_without_times(a), *lb = log_without_times(b);
    ck_assert_str_eq(la, lb);
    ck_assert_int_eq(count_lines(la), 4);
    free(la);
    free(lb);
    ck_assert_msg(only_run_files("cut", model), "stray files in the resumed run's directory");
}

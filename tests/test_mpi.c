/* test_mpi.c — atome-train data-parallel under Open MPI's mpirun (train/dist.c, train/shard.c):
 * the same model.bin, checkpoint.bin and log for any number of ranks and threads as one plain
 * process; a resume with another rank count (or none) continues to those bytes; a rank killed
 * with SIGKILL stops the job, non-zero, within seconds, its last checkpoint whole; a rank started
 * with other arguments, other data or another checkpoint is refused before the first step.
 *
 * These machines and CI run as root, which mpirun refuses unless told (OMPI_ALLOW_RUN_AS_ROOT
 * and its confirmation); up to 4 ranks run oversubscribed on 2 cores. Runs are tiny (nano, a
 * 60 KB slice of TinyStories, windows of 33 bytes) and use --batch 5 --accum 2: 10 windows per
 * update, which 3 and 4 ranks split unevenly (4, 3, 3 and 3, 3, 2, 2) across micro-batches of 5.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

/* In containers that forbid ptrace, the shared-memory transport's single-copy mode fails: off. */
#define MPIRUN                                                                                                   \
    "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none "      \
    "mpirun --oversubscribe --bind-to none"
#define RUN "--preset nano --batch 5 --accum 2 --seq 32 --sample 0 --data %s/train.txt --valid %s/valid.txt"

static char dir[64];
static void setup(void) { scratch_data_dir(dir, sizeof dir, "atome-mpi"); }
static void teardown(void) { scratch_remove(dir); }

/* Runs `launch ./atome-train RUN extra --threads th --out dir/name`; it must exit 0 and, under
 * mpirun with ranks > 0, say it ran over that many ranks (not as independent processes). */
static void train(int ranks, int th, const char *extra, const char *name) {
    char cmd[1024], out[8192], launch[160] = "";
    if (ranks) snprintf(launch, sizeof launch, MPIRUN " -np %d", ranks);
    snprintf(cmd, sizeof cmd, "%s ./atome-train " RUN " %s --threads %d --out %s/%s", launch, dir, dir, extra, th,
             dir, name);
    ck_assert_msg(run_cmd(cmd, out, sizeof out) == 0, "%s:\n%s", cmd, out);
    char want[64];
    snprintf(want, sizeof want, "data-parallel over %d MPI ranks x %d threads", ranks, th);
    ck_assert_msg(!ranks == !strstr(out, "data-parallel over"), "%s:\n%s", cmd, out);
    ck_assert_msg(!ranks || strstr(out, want), "%s: no '%s' in:\n%s", cmd, want, out);
}

/* The log without its wall-clock field: every other number (losses, bpb, best step) must match. */
static char *log_without_time(const char *name) {
    char p[160];
    size_t n;
    snprintf(p, sizeof p, "%s/%s/log.jsonl", dir, name);
    char *log = read_all(p, &n), *w = log;
    for (char *r = log; *r;) {
        if (!strncmp(r, "\"time_s\": ", 10)) {
            r += 10;
            while (*r && *r != '}') r++;
        } else *w++ = *r++;
    }
    *w = 0;
    return log;
}

static void same_as(const char *ref, const char *name, const char *what) {
    char a[160], b[160];
    snprintf(a, sizeof a, "%s/%s", dir, ref);
    snprintf(b, sizeof b, "%s/%s", dir, name);
    expect_same_run(a, b, what);
    char *la = log_without_time(ref), *lb = log_without_time(name);
    ck_assert_msg(!strcmp(la, lb), "log.jsonl differs: %s\n%s\nvs\n%s", what, la, lb);
    free(la), free(lb);
}

START_TEST(any_rank_count_same_bytes) {
    const char *steps = "--steps 12 --eval-every 6";
    train(0, 1, steps, "plain");
    static const int runs[][2] = {{1, 2}, {2, 1}, {3, 2}, {4, 1}};
    for (int i = 0; i < 4; i++) {
        char name[32], what[64];
        snprintf(name, sizeof name, "np%d-t%d", runs[i][0], runs[i][1]);
        snprintf(what, sizeof what, "%d ranks x %d threads vs one plain process", runs[i][0], runs[i][1]);
        train(runs[i][0], runs[i][1], steps, name);
        same_as("plain", name, what);
    }
}
END_TEST

/* Two ranks on dir/name, rank `victim` killed with SIGKILL once a checkpoint exists: mpirun must
 * stop the other within seconds, non-zero, with the survivor's line (rank 0's, or rank 1's when
 * rank 0 died), before the run could finish. */
static void kill_one_rank(const char *steps, const char *name, int victim) {
    char cmd[2048], out[8192];
    snprintf(cmd, sizeof cmd,
             MPIRUN " -np 2 ./atome-train " RUN " %s --threads 1 --out %s/%s > %s/%s.out 2>&1 & m=$!; "
             "while [ ! -f %s/%s/checkpoint.bin ]; do sleep 0.02; done; "
             "for p in $(pgrep -P $m); do grep -qa OMPI_COMM_WORLD_RANK=%d /proc/$p/environ && kill -9 $p; done; "
             "t0=$(date +%%s%%N); wait $m; rc=$?; t1=$(date +%%s%%N); cat %s/%s.out; "
             "echo \"rc=$rc ms=$(( (t1 - t0) / 1000000 ))\"",
             dir, dir, steps, dir, name, dir, name, dir, name, victim, dir, name);
    ck_assert_int_eq(run_cmd(cmd, out, sizeof out), 0);
    int rc = -1, ms = -1;
    const char *tail = strstr(out, "rc=");
    ck_assert_msg(tail && sscanf(tail, "rc=%d ms=%d", &rc, &ms) == 2, "%s", out);
    ck_assert_msg(rc != 0, "the job exited 0 with rank %d killed:\n%s", victim, out);
    ck_assert_msg(ms < 10000, "the job took %d ms to stop after rank %d was killed:\n%s", ms, victim, out);
    char line[64];
    snprintf(line, sizeof line, "atome-train: rank %d got mpirun's SIGTERM", victim == 0 ? 1 : 0);
    ck_assert_msg(strstr(out, line), "no '%s':\n%s", line, out);
    ck_assert_msg(!strstr(out, "done: step"), "the run finished before the kill:\n%s", out);
}

/* The resume's step, which must lie inside the run. */
static void resumed_inside(const char *out, long steps) {
    long at = -1;
    const char *res = strstr(out, "resumed at step ");
    ck_assert_msg(res && sscanf(res, "resumed at step %ld", &at) == 1 && at > 0 && at < steps, "%s", out);
}

/* A killed rank leaves its last checkpoint whole (checkpoint_load checks its CRC): resumed at 3
 * ranks after rank 1 died, and by one plain process after rank 0 died, both runs end with the
 * bytes of one uninterrupted plain run. */
START_TEST(killed_rank_then_resume_with_other_rank_count) {
    const char *steps = "--steps 150 --eval-every 50 --save-every 5";
    train(0, 1, steps, "plain");
    char cmd[2048], out[8192];
    kill_one_rank(steps, "run", 1);
    snprintf(cmd, sizeof cmd, MPIRUN " -np 3 ./atome-train " RUN " %s --threads 1 --out %s/run --resume", dir, dir,
             steps, dir);
    ck_assert_msg(run_cmd(cmd, out, sizeof out) == 0, "%s:\n%s", cmd, out);
    resumed_inside(out, 150);
    same_as("plain", "run", "killed at 2 ranks (rank 1), resumed at 3, vs one plain run");

    kill_one_rank(steps, "run0", 0);
    snprintf(cmd, sizeof cmd, "./atome-train " RUN " %s --threads 2 --out %s/run0 --resume", dir, dir, steps, dir);
    ck_assert_msg(run_cmd(cmd, out, sizeof out) == 0, "%s:\n%s", cmd, out);
    resumed_inside(out, 150);
    same_as("plain", "run0", "killed at 2 ranks (rank 0), resumed by one plain process, vs one plain run");
}
END_TEST

/* Exit 1, the one atome-train line holding needle (mpirun adds its own boxes), and no --out. */
static void refused(const char *cmd, const char *needle) {
    char out[8192];
    ck_assert_msg(run_cmd(cmd, out, sizeof out) == 1, "%s: not exit 1:\n%s", cmd, out);
    int lines = 0;
    for (const char *p = out; (p = strstr(p, "atome-train: ")); p++) lines++;
    ck_assert_msg(lines == 1 && strstr(out, needle), "%s: want one line with '%s':\n%s", cmd, needle, out);
    char never[160];
    snprintf(never, sizeof never, "test ! -e %s/never", dir);
    ck_assert_msg(run_cmd(never, NULL, 0) == 0, "%s: the refused job made its --out", cmd);
}

START_TEST(rank_with_other_arguments_or_data_refused) {
    char cmd[2048], other[1024];
    snprintf(cmd, sizeof cmd,
             MPIRUN " -np 1 ./atome-train " RUN " --steps 4 --out %s/never : -np 1 ./atome-train " RUN
             " --steps 4 --lr 0.01 --out %s/never",
             dir, dir, dir, dir, dir, dir);
    refused(cmd, "rank 1 of 2 was started with other arguments than rank 0");
    /* The same words, other bytes: each rank in its own directory, train.txt one byte apart. */
    snprintf(other, sizeof other, "mkdir %s/a %s/b && cp %s/*.txt %s/a && cp %s/*.txt %s/b && printf X | "
             "dd of=%s/b/train.txt bs=1 seek=100 conv=notrunc 2>/dev/null", dir, dir, dir, dir, dir, dir, dir);
    ck_assert_int_eq(run_cmd(other, NULL, 0), 0);
    const char *same = "$PWD/atome-train --preset nano --batch 5 --seq 32 --data train.txt --valid valid.txt --steps 4";
    snprintf(cmd, sizeof cmd, MPIRUN " -np 1 -wdir %s/a %s --out %s/never : -np 1 -wdir %s/b %s --out %s/never",
             dir, same, dir, dir, same, dir);
    refused(cmd, "rank 1 of 2 read other --data/--valid bytes");
    /* The same words, another checkpoint: two runs of other seeds, resumed without --seed. */
    const char *ck = "$T --preset nano --batch 5 --seq 32 --data train.txt --valid valid.txt --steps 3 "
                     "--sample 0 --out run";
    snprintf(other, sizeof other, "T=$PWD/atome-train; cd %s/a && %s --seed 1 >/dev/null && cd ../b && cp ../a/train.txt . && "
             "%s --seed 2 >/dev/null", dir, ck, ck);
    ck_assert_int_eq(run_cmd(other, NULL, 0), 0);
    snprintf(cmd, sizeof cmd, "T=$PWD/atome-train; " MPIRUN " -np 1 -wdir %s/a %s --resume : -np 1 -wdir %s/b %s --resume",
             dir, ck, dir, ck);
    refused(cmd, "rank 1 of 2 read another checkpoint than rank 0");
    /* The vanilla baseline's float gradient has no exact sum: one process only. */
    snprintf(cmd, sizeof cmd, MPIRUN " -np 2 ./atome-train --arch vanilla --batch 4 --seq 32 --data %s/train.txt "
             "--valid %s/valid.txt --steps 2 --out %s/never", dir, dir, dir);
    refused(cmd, "--arch vanilla runs in one process only");
    /* A bad option on every rank: said once, by rank 0. */
    snprintf(cmd, sizeof cmd, MPIRUN " -np 2 ./atome-train " RUN " --lr abc --out %s/never", dir, dir, dir);
    refused(cmd, "--lr needs a finite number");
}
END_TEST

Suite *mpi_suite(void) {
    Suite *s = suite_create("mpi");
    TCase *t = tcase_create("ranks");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, any_rank_count_same_bytes);
    tcase_add_test(t, killed_rank_then_resume_with_other_rank_count);
    tcase_add_test(t, rank_with_other_arguments_or_data_refused);
    suite_add_tcase(s, t);
    return s;
}

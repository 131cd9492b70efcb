/* dist.c — atome-train over MPI ranks (API in dist.h); the one file of the repository that
 * includes mpi.h.
 *
 * Shapes: N ranks; P gradient elements of 16 bytes (two uint64 words, exact_sum.h).
 *
 * The gradient sum crosses ranks as what it is inside a rank: 128-bit integers, added modulo
 * 2^128 by a user-defined MPI operation declared commutative. Integer addition is associative
 * and commutative, so whatever tree or ring Open MPI picks for N ranks, every rank ends with
 * the same bits, and they are the bits one process summing every window would have.
 */
#include "dist.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#ifndef ATOME_NO_MPI
#include <mpi.h>
#endif

static int active, rank, size = 1;
static double sent;                 /* dist_bytes_sent */
static const char *fault_line;      /* dist_set_fault_line */
static volatile int fault_written;
static long rank0_pid = -1;         /* rank 0's process id if it runs on this host, else -1 */

static const char *launched_by(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") ? "OMPI_COMM_WORLD_SIZE" : getenv("PMIX_RANK") ? "PMIX_RANK" : NULL;
}

int dist_active(void) { return active; }
int dist_rank(void) { return rank; }
int dist_size(void) { return size; }

void dist_share_of(long n, int r, long *first, long *count) {
    long q = n / size, extra = n % size; /* the first `extra` ranks take q + 1 */
    *first = (long)r * q + (r < extra ? r : extra);
    *count = q + (r < extra);
}

void dist_set_fault_line(const char *line) { fault_line = line; }

/* Rank 0 tells; rank 1 does if rank 0 is the rank that died (seen only on its own host). */
void dist_on_signal(int sig) {
    (void)sig;
    if (!active || size < 2 || !fault_line || fault_written) return;
    int e = errno;
    int tell = rank == 0 || (rank == 1 && rank0_pid > 0 && kill((pid_t)rank0_pid, 0) != 0 && errno == ESRCH);
    if (tell) {
        fault_written = 1;
        ssize_t w = write(STDERR_FILENO, fault_line, strlen(fault_line));
        (void)w;
    }
    errno = e;
}

double dist_bytes_sent(void) { return sent; }

#ifdef ATOME_NO_MPI

void dist_init(int *argc, char ***argv) {
    (void)argc, (void)argv;
    const char *by = launched_by();
    if (by) {
        fprintf(stderr, "atome-train: started by an MPI launcher (%s is set), but this atome-train was built without "
                "MPI (no Open MPI at build time: scripts/deps.sh mpi, then make)\n", by);
        exit(1);
    }
}
void dist_check_args(int argc, char **argv) { (void)argc, (void)argv; }
void dist_quiet_options(void) {}
void dist_speak(void) {}
void dist_check_same(uint64_t data_hash, uint64_t state_hash) { (void)data_hash, (void)state_hash; }
int dist_sum_exact(exact_acc *acc, long n, int bad) { return (void)acc, (void)n, bad; }
void dist_gather(void *all, long total, int elem) { (void)all, (void)total, (void)elem; }
int dist_max(int x) { return x; }
void dist_exit(int status) { exit(status); }

#else

/* FNV-1a, 64-bit: a fingerprint to compare between ranks (not a checksum of anything stored). */
static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static void die_all(const char *msg) {
    if (rank == 0) fprintf(stderr, "atome-train: %s\n", msg);
    dist_exit(1);
}

void dist_init(int *argc, char ***argv) {
    if (!launched_by()) return;
    int provided;
    /* OpenMP threads never call MPI: only the main thread does. */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "atome-train: cannot join the MPI job (MPI_Init failed)\n");
        exit(1);
    }
    active = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    /* Rank 0's host and process id, so that rank 1 can tell rank 0's death apart (dist_on_signal). */
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    uint64_t id[2] = {fnv(0xcbf29ce484222325ull, host, strlen(host)), (uint64_t)getpid()};
    uint64_t mine = id[0];
    MPI_Bcast(id, 2, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (rank != 0 && id[0] == mine) rank0_pid = (long)id[1];
    if (rank != 0 && !freopen("/dev/null", "w", stdout)) {
        fprintf(stderr, "atome-train: rank %d cannot silence its stdout\n", rank);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
}

/* Every rank's n words of fingerprint gathered; the first rank whose words differ from rank
 * 0's, or -1. */
static int first_differing(const uint64_t *mine, int n, int *which) {
    uint64_t *all = malloc((size_t)size * n * sizeof *all);
    if (!all) die_all("out of memory for the ranks' fingerprints");
    MPI_Allgather(mine, n, MPI_UINT64_T, all, n, MPI_UINT64_T, MPI_COMM_WORLD);
    sent += (double)(size - 1) * n * 8;
    int bad = -1;
    for (int r = 1; r < size && bad < 0; r++)
        for (int k = 0; k < n && bad < 0; k++)
            if (all[(size_t)r * n + k] != all[k]) bad = r, *which = k;
    free(all);
    return bad;
}

void dist_check_args(int argc, char **argv) {
    if (!active) return;
    uint64_t h = fnv(0xcbf29ce484222325ull, &argc, sizeof argc);
    for (int i = 1; i < argc; i++) h = fnv(h, argv[i], strlen(argv[i]) + 1);
    int which, r = first_differing(&h, 1, &which);
    if (r < 0) return;
    char msg[256];
    snprintf(msg, sizeof msg, "rank %d of %d was started with other arguments than rank 0: every rank must run the "
             "same command (refused before the first step)", r, size);
    die_all(msg);
}

/* The same arguments on every rank: the option checks fail alike on all, so only rank 0 says so. */
static int saved_stderr = -1;

void dist_quiet_options(void) {
    if (!active || rank == 0) return;
    int null = open("/dev/null", O_WRONLY);
    fflush(stderr);
    if (null < 0 || (saved_stderr = dup(STDERR_FILENO)) < 0 || dup2(null, STDERR_FILENO) < 0) saved_stderr = -1;
    if (null >= 0) close(null);
}

void dist_speak(void) {
    if (saved_stderr < 0) return;
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
}

void dist_check_same(uint64_t data_hash, uint64_t state_hash) {
    if (!active) return;
    uint64_t mine[2] = {data_hash, state_hash};
    int which, r = first_differing(mine, 2, &which);
    if (r < 0) return;
    char msg[256];
    snprintf(msg, sizeof msg, "rank %d of %d read %s than rank 0 (every rank needs the same files: a shared "
             "filesystem or identical copies; refused before the first step)", r, size,
             which == 0 ? "other --data/--valid bytes (size or CRC-32)" : "another checkpoint");
    die_all(msg);
}

/* inout[i] += in[i] modulo 2^128; memcpy because MPI's temporary buffers promise no 16-byte alignment. */
static void add128(void *in, void *inout, int *len, MPI_Datatype *type) {
    (void)type;
    unsigned char *a = in, *b = inout;
    for (int i = 0; i < *len; i++, a += 16, b += 16) {
        exact_acc x, y;
        memcpy(&x, a, 16), memcpy(&y, b, 16);
        y += x;
        memcpy(b, &y, 16);
    }
}

int dist_sum_exact(exact_acc *acc, long n, int bad) {
    if (!active) return bad;
    static MPI_Datatype u128;
    static MPI_Op add;
    if (!add) {
        MPI_Type_contiguous(16, MPI_BYTE, &u128);
        MPI_Type_commit(&u128);
        MPI_Op_create(add128, 1, &add);
    }
    /* In pieces of at most 2^26 elements (1 GiB): MPI counts are int. */
    for (long i = 0; i < n; i += 1L << 26) {
        int k = n - i < (1L << 26) ? (int)(n - i) : 1 << 26;
        MPI_Allreduce(MPI_IN_PLACE, acc + i, k, u128, add, MPI_COMM_WORLD);
    }
    sent += 2.0 * (size - 1) / size * (double)n * 16;
    int any;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    sent += 2.0 * (size - 1) / size * sizeof any;
    return any;
}

void dist_gather(void *all, long total, int elem) {
    if (!active) return;
    if ((double)total * elem > 2147483647.0) die_all("a gathered list is over 2 GiB (evaluation or batch too large)");
    int *counts = malloc(2 * (size_t)size * sizeof *counts);
    if (!counts) die_all("out of memory for the gather's counts");
    for (int r = 0; r < size; r++) {
        long first, count;
        dist_share_of(total, r, &first, &count);
        counts[r] = (int)(count * elem), counts[size + r] = (int)(first * elem);
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, counts, counts + size, MPI_BYTE, MPI_COMM_WORLD);
    free(counts);
    sent += (double)(size - 1) / size * (double)total * elem;
}

int dist_max(int x) {
    if (!active) return x;
    int m;
    MPI_Allreduce(&x, &m, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    sent += 2.0 * (size - 1) / size * sizeof m;
    return m;
}

void dist_exit(int status) {
    fflush(stdout);
    if (active) MPI_Finalize();
    exit(status);
}

#endif

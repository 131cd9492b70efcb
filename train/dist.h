/* dist.h — atome-train over MPI ranks (data-parallel): start-up, the rank's share of a list,
 * the collectives the loop needs, the check that every rank runs the same job, the exit.
 * The only file that includes mpi.h is dist.c; built with -DATOME_NO_MPI (no Open MPI found,
 * or the aarch64 cross build) every call is the single-process behaviour.
 *
 * Shapes: N ranks, rank r in 0..N-1; P gradient elements (exact_acc each, 16 bytes).
 *
 * MPI is initialised only when the process was started by Open MPI's launcher (mpirun sets
 * OMPI_COMM_WORLD_SIZE in the environment of every rank it starts): a plain ./atome-train never
 * calls MPI_Init, so Open MPI's singleton start (which would fork a helper daemon) never runs,
 * and the run is the same process it was before MPI existed. Under mpirun, even with -np 1,
 * the data-parallel path runs (shard.h), which is how the tests see it equal the plain path.
 */
#ifndef TRAIN_DIST_H
#define TRAIN_DIST_H
#include <stdint.h>
#include "exact_sum.h"

/* MPI_Init if started by mpirun; ranks other than 0 get stdout on /dev/null (rank 0 prints
 * the progress; every rank keeps stderr for a problem of its own). Dies with one line if the
 * launcher's world cannot be joined, or under mpirun in a build without MPI. */
void dist_init(int *argc, char ***argv);
int dist_active(void); /* 1 under mpirun (MPI initialised), else 0 */
int dist_rank(void);   /* 0 without MPI */
int dist_size(void);   /* 1 without MPI */

/* The contiguous share of rank r of n items: [*first, *first + *count), sizes floor(n/N) or
 * ceil(n/N), the larger ones first, in rank order. */
void dist_share_of(long n, int r, long *first, long *count);

/* Collective: refuses (rank 0 prints one line naming the first rank that differs, every rank
 * exits with status 1) unless every rank was started with the same arguments (argv[1..],
 * compared word for word). Call before anything is parsed, so that all ranks then take the
 * same path. */
void dist_check_args(int argc, char **argv);
/* Ranks other than 0 write nothing on stderr from dist_quiet_options to dist_speak: around the
 * parsing and checking of the (identical) options, whose one-line refusal rank 0 prints. */
void dist_quiet_options(void);
void dist_speak(void);
/* Collective: refuses as dist_check_args unless every rank read the same data (data_hash:
 * sizes and CRC-32s of the training and validation bytes) and the same training state
 * (state_hash: the resumed checkpoint's contents, 0 for a new run). */
void dist_check_same(uint64_t data_hash, uint64_t state_hash);

/* Collective: acc[0..n-1] = the sum over ranks of each rank's acc (128-bit integers added
 * modulo 2^128: exact, so the result does not depend on the order MPI adds them in). Returns
 * the OR over ranks of bad. */
int dist_sum_exact(exact_acc *acc, long n, int bad);
/* Collective: every rank holds total items, of elem bytes each, split by dist_share_of; each
 * rank's own share is at all + first·elem already; after the call all is whole, in order. */
void dist_gather(void *all, long total, int elem);
/* Collective: the largest of the ranks' x (the stop signal: one rank's signal stops all). */
int dist_max(int x);

/* Bytes this rank has sent through the collectives so far, counted as bandwidth-optimal (ring)
 * algorithms send them: 2(N-1)/N of an allreduce's vector, (N-1)/N of an allgather's result. */
double dist_bytes_sent(void);

/* For the fault line: rank 0 of a job of several ranks writes this line (async-signal-safe) when
 * mpirun's SIGTERM arrives (mpirun sends it when a rank dies or the job is interrupted); rank 1
 * does instead when rank 0 is the rank that died and ran on rank 1's host (kill(pid, 0)). */
void dist_set_fault_line(const char *line);
void dist_on_signal(int sig);

/* Collective exit (every rank reaches it at the same point of the run): MPI_Finalize, then exit. */
void dist_exit(int status) __attribute__((noreturn));

#endif

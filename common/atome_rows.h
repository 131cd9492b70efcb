/* atome_rows.h — the forward over a window of positions at once, for the trainer.
 *
 * The engine steps one position at a time (atome_block.h); a trainer sees a whole window and
 * can batch the part of a block that depends on each position's own input: LayerNorm, int8 h
 * and the four ternary matmuls (block_project). These are the same kernels on the same
 * values, except the matmul, whose window form sums in float — exactly, see
 * matmul_rows_forward — so every result has the bits block_forward would give.
 * Host only: the engine does not compile this file.
 *
 * Shapes: n positions, D d_model, DP = ATOME_PAD5(D), Dh d_head, V vocab, R × C a ternary
 * matrix, K = 5·ceil(C/5) its padded row.
 */
#ifndef ATOME_ROWS_H
#define ATOME_ROWS_H
#include "atome_block.h"

/* The ternary matrix w decoded to its trits as floats, transposed: dense[K][R], the K index in
 * the planar order of the packed row (the order of xq with its padding). */
void matmul_decode(float *dense, const atome_tmat *w);

/* matmul_forward over n input vectors: y[t·ldy + r] = acc · (w.scale · xs[t]) with
 * acc = Σ_c trit[r][c]·x[t·ldx + c]. acc is summed in float along r for every c, which the
 * compiler vectorises: every term and partial sum is an integer of magnitude at most 127·K
 * < 2^24, so each float addition is exact, acc equals matmul_forward's int32 sum, and y has
 * the same bits. */
void matmul_rows_forward(float *y, int ldy, const atome_tmat *w, const float *dense, const int8_t *x, int ldx,
                         const float *xs, int n);

/* A layer's ternary matrices decoded by matmul_decode. */
typedef struct {
    float *wq, *wk, *wv, *router;
} atome_layer_dense;

/* block_project for n positions at once. x_in is [n][D]; in *a, h, hq, kf, vf, q and
 * router_logits point at row 0 of [n][D], [n][DP], [n][Dh], [n][D], [n][Dh], [n][3], and
 * ln_mean, ln_rstd, hs at [n]; the other fields are unused. */
void block_project_rows(int n, const float *x_in, const atome_layer *w, const atome_layer_dense *wd,
                        const atome_config *c, const atome_block_acts *a);

/* head_forward for n positions: x [n][D], logits [n][V]; in *a, h [n][D], hq [n][DP],
 * ln_mean, ln_rstd, hs [n]. unemb_dense is the unembedding decoded by matmul_decode. */
void head_forward_rows(int n, float *logits, const float *x, const atome_weights *w, const float *unemb_dense,
                       const atome_head_acts *a);

#endif

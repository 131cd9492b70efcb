/* dense_kernel.h — the body of dense.c's product, included once per instruction set with
 * DENSE_NAME(x) naming its functions and DENSE_VBYTES the vector width in bytes (16, 32, 64).
 * Not a header of its own: see dense.h for the contract (summation order) this code keeps.
 *
 * Shapes: out[M, N] (row stride ldo) += A[M, K]·B[K, N], A(i, k) = a[i·ais + k·aks], B rows
 * ldb apart. dense_dx takes (M, N, K) = (T, C, R), A = dy; dense_dw takes (R, C, T), A = dy^T.
 */
typedef float DENSE_NAME(vec) __attribute__((vector_size(DENSE_VBYTES)));
/* The same vector read from or written to any float address (rows are not vector-aligned). */
typedef float DENSE_NAME(uvec) __attribute__((vector_size(DENSE_VBYTES), aligned(4), may_alias));
#define VW (DENSE_VBYTES / 4)

/* An mr × (nv·VW) block of out, its sums kept in registers over the whole K loop: each B row
 * segment is loaded once for mr rows. mr and nv are constants at every call, so the arrays
 * below become registers. acc starts at +0, adds products in ascending k, then out is added. */
static inline __attribute__((always_inline)) void DENSE_NAME(tile)(float *out, long ldo, const float *a, long ais,
                                                                   long aks, const float *b, long ldb, int K,
                                                                   const int mr, const int nv) {
    DENSE_NAME(vec) acc[4][2];
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nv; j++) acc[i][j] = (DENSE_NAME(vec)){0};
    for (int k = 0; k < K; k++) {
        const float *bk = b + (long)k * ldb;
        DENSE_NAME(vec) bv[2];
        for (int j = 0; j < nv; j++) bv[j] = *(const DENSE_NAME(uvec) *)(bk + j * VW);
        for (int i = 0; i < mr; i++) {
            float ai = a[i * ais + (long)k * aks];
            for (int j = 0; j < nv; j++) {
                DENSE_NAME(vec) p = ai * bv[j]; /* rounded product, then a separate add */
                acc[i][j] += p;
            }
        }
    }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nv; j++) {
            DENSE_NAME(uvec) *o = (DENSE_NAME(uvec) *)(out + i * ldo + j * VW);
            *o = *o + acc[i][j];
        }
}

/* Columns the vector tiles leave (fewer than VW): the same operations one element at a time. */
static void DENSE_NAME(tail)(float *out, long ldo, const float *a, long ais, long aks, const float *b, long ldb,
                             int M, int c0, int N, int K) {
    for (int i = 0; i < M; i++)
        for (int c = c0; c < N; c++) {
            float s = 0.0f;
            for (int k = 0; k < K; k++) {
                float p = a[i * ais + (long)k * aks] * b[(long)k * ldb + c];
                s += p;
            }
            out[i * ldo + c] = out[i * ldo + c] + s;
        }
}

static void DENSE_NAME(product)(float *out, long ldo, const float *a, long ais, long aks, const float *b, long ldb,
                                int M, int N, int K) {
    int c = 0;
    for (; c + 2 * VW <= N; c += 2 * VW) {
        int i = 0;
        for (; i + 4 <= M; i += 4) DENSE_NAME(tile)(out + i * ldo + c, ldo, a + i * ais, ais, aks, b + c, ldb, K, 4, 2);
        for (; i < M; i++) DENSE_NAME(tile)(out + i * ldo + c, ldo, a + i * ais, ais, aks, b + c, ldb, K, 1, 2);
    }
    for (; c + VW <= N; c += VW) {
        int i = 0;
        for (; i + 4 <= M; i += 4) DENSE_NAME(tile)(out + i * ldo + c, ldo, a + i * ais, ais, aks, b + c, ldb, K, 4, 1);
        for (; i < M; i++) DENSE_NAME(tile)(out + i * ldo + c, ldo, a + i * ais, ais, aks, b + c, ldb, K, 1, 1);
    }
    if (c < N) DENSE_NAME(tail)(out, ldo, a, ais, aks, b, ldb, M, c, N, K);
}
#undef VW

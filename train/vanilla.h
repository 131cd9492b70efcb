/* vanilla.h — the vanilla GPT baseline of the A/B: FP32 weights, float activations, atome-lm's
 * architecture; forward and backward over a batch of windows, API mirroring fb.h.
 *
 * Shapes: V vocab (256, bytes), D d_model, L layers, H heads, Dh = D/H, F d_ff, C context
 * (rows of the positional table), B sequences per batch, T predicted positions per sequence
 * (a window holds T+1 bytes: inputs tokens[b][0..T-1], targets tokens[b][1..T]), T <= C.
 *
 * The model (GPT-2 shaped, pre-LN):
 *     x = wte[token] + wpe[position]
 *     per layer:  x += Wo · mha(Wqkv · LN1(x))          causal softmax attention, H heads
 *                 x += W2 · gelu(W1 · LN2(x))
 *     logits = head · LNf(x)
 * LayerNorms have a gain and a bias (eps 1e-5); every projection (Q, K, V, O, W1, W2) and the
 * head is bias-free; the head is untied from wte. GELU is the tanh form (GPT-2's, within 1e-3 of
 * the erf form), its tanh and the softmax exps the project's own atome_tanhf and atome_expf (array
 * forms, the same bits: vanilla_ops.h). Parameters:
 *     P = 2·V·D + C·D + L·(4·D² + 2·D·F + 4·D) + 2·D
 * which gives exactly atome-lm's counts at C = 64: param-fair (D 44, L 3, H 4, F 44) 60,808
 * and flash-fair (D 8, L 2, H 4, F 24) 5,968. Both counts pin the bias choice down: FFN biases
 * would add L·(F + D), 264 and 64; LayerNorms without bias would take L·2D + D away, 308 and
 * 40; a head bias would add 256. (The A/B's 64-byte windows predict T = 63 bytes, so row 63
 * of wpe is counted but never read.)
 *
 * Parameter arena, in this order (vanilla_params_bind): wte [V, D], wpe [C, D], per layer
 * ln1_g [D], ln1_b [D], wqkv [3D, D] (rows of Wq, then Wk, then Wv), wo [D, D], ln2_g [D],
 * ln2_b [D], w1 [F, D], w2 [D, F]; then lnf_g [D], lnf_b [D], head [V, D]. Gradients and Adam
 * moments are arenas of the same layout.
 *
 * Threads: as fb.c — a sequence is one OpenMP task writing its own gradient slot, the slots
 * are summed in sequence order, OpenBLAS runs at one thread: the same bits for any thread count.
 * Not across CPUs: OpenBLAS chooses its sgemm kernel (vector width, FMA) by the CPU at run
 * time, so two machines may train different bytes. The atome model does not use it (dense.h).
 *
 * How the trainer drives it (everything else — AdamW, clipping, schedule — is the routed
 * model's, over P floats):
 *
 *     vanilla_config c;
 *     vanilla_preset("param-fair", &c);           // or fill it; vanilla_config_check(&c) == NULL
 *     long P = vanilla_param_count(&c);
 *     float *w = malloc(P * 4), *g = malloc(P * 4);  // + Adam m, v zeroed
 *     uint8_t *decay = malloc(P);
 *     vanilla_init(w, &c, seed);                  // or vanilla_init_torch: atome-lm's baseline
 *     vanilla_decay_mask(decay, &c);
 *     vfb_context *f = vfb_create(&c, B, T);      // T = window bytes - 1 <= c.context
 *     for (step ...) {
 *         double nats = vfb_step(f, w, tokens, g);   // tokens: B windows of T+1 bytes
 *         // g = d(mean loss)/dw; accumulate/clip, then adamw_update(w, g, m, v, decay, P, ...)
 *     }
 *     // evaluation (data_evaluate_with, vfb_forward as the forward): over the
 *     // valid windows, bpb = Σ vfb_forward(fe, w, tokens, NULL, NULL) / (windows·T) / ln 2
 *     vanilla_save("out/model.vnl", &c, w, err, sizeof err);   // the "model" file, 64 + 4P bytes
 *     vfb_free(f);
 *
 * Memory: vfb_create holds the activations of B·T positions, the attention weights (B·L·H·T²
 * floats) and B gradient slots of P floats: 17 MB at param-fair, B 16, T 64.
 *
 * A vanilla model has no blob: its size on disk in the A/B table is vanilla_disk_bytes
 * (4 bytes per parameter, as atome-lm reports it), its file is that plus a 64-byte header.
 * For the trainer's checkpoint the arenas are plain P-float arrays like the routed model's;
 * only the config differs (a vanilla_config instead of an atome_config).
 */
#ifndef TRAIN_VANILLA_H
#define TRAIN_VANILLA_H
#include <stddef.h>
#include <stdint.h>

#define VANILLA_VOCAB 256
#define VANILLA_MAX_LAYERS 16
#define VANILLA_MAX_CONTEXT 1024

typedef struct {
    int d_model;  /* D */
    int n_layers; /* L */
    int n_heads;  /* H, divides D */
    int d_ff;     /* F */
    int context;  /* C, positions of the learned positional table (the longest window - 1) */
} vanilla_config;

typedef struct {
    float *ln1_g, *ln1_b; /* [D] */
    float *wqkv;          /* [3D, D] */
    float *wo;            /* [D, D] */
    float *ln2_g, *ln2_b; /* [D] */
    float *w1;            /* [F, D] */
    float *w2;            /* [D, F] */
} vanilla_layer;

typedef struct {
    float *wte;           /* [V, D] */
    float *wpe;           /* [C, D] */
    vanilla_layer layer[VANILLA_MAX_LAYERS];
    float *lnf_g, *lnf_b; /* [D] */
    float *head;          /* [V, D] */
} vanilla_params;

/* Atome-lm's two baselines, both with C = 64: "param-fair" (D 44, L 3, H 4, F 44, 60,808
 * parameters) and "flash-fair" (D 8, L 2, H 4, F 24, 5,968). Returns 0, or -1 if unknown. */
int vanilla_preset(const char *name, vanilla_config *c);
/* Name of the i-th preset, NULL past the last. */
const char *vanilla_preset_name(int i);

/* NULL if c is a model this code can run, else one line naming the problem (a static string). */
const char *vanilla_config_check(const vanilla_config *c);

/* P = 2·V·D + C·D + L·(4·D² + 2·D·F + 4·D) + 2·D. */
long vanilla_param_count(const vanilla_config *c);
/* Bytes of the weights as FP32 (4·P), the figure the A/B table calls the disk size. */
long vanilla_disk_bytes(const vanilla_config *c);

/* Points *p into arena (vanilla_param_count(c) floats) in the order above. */
void vanilla_params_bind(vanilla_params *p, const vanilla_config *c, float *arena);

/* Seeded initialisation, GPT-2's: every matrix and both embeddings N(0, 0.02²) (atome_rng_normal),
 * the two projections into the residual stream (wo, w2) scaled down by 1/√(2L), LayerNorm gains
 * 1 and biases 0. The same seed gives the same bits on every machine. */
void vanilla_init(float *arena, const vanilla_config *c, uint64_t seed);

/* PyTorch's default initialisation (what a PyTorch model gets when it sets none): embeddings
 * N(0, 1) (nn.Embedding), every matrix U(-1/√fan_in, 1/√fan_in) (nn.Linear), LayerNorm gains 1
 * and biases 0. With it the param-fair model lands on the A/B recipe where atome-lm's PyTorch
 * baseline did, far behind where vanilla_init takes it; kept so that the A/B can show both. */
void vanilla_init_torch(float *arena, const vanilla_config *c, uint64_t seed);

/* decay[P]: 1 for the matrices and embeddings (wte, wpe, wqkv, wo, w1, w2, head), 0 for the
 * LayerNorm gains and biases (as llm.c and nanoGPT: decay what has a fan-in). */
void vanilla_decay_mask(uint8_t *decay, const vanilla_config *c);

typedef struct vfb_context vfb_context;

/* Activation arena for B windows of T positions of config c; NULL if c fails vanilla_config_check,
 * T > c->context, B or T < 1, or out of memory. Sets OpenBLAS to one thread. */
vfb_context *vfb_create(const vanilla_config *c, int B, int T);
void vfb_free(vfb_context *f);

/* Forward only over B windows of T+1 bytes (tokens[b*(T+1) + t]) with weights params (the
 * arena). Returns the summed cross-entropy in nats over the B·T predicted bytes; if logits is
 * not NULL it receives them as [B][T][V], if loss_pos is not NULL the per-position
 * cross-entropy [B][T]. */
double vfb_forward(vfb_context *f, const float *params, const uint8_t *tokens, float *logits, float *loss_pos);

/* Forward and backward: overwrites grad (P floats, the arena's layout) with d(mean loss)/d(params),
 * the mean over the B·T predicted bytes. Returns the summed cross-entropy in nats. */
double vfb_step(vfb_context *f, const float *params, const uint8_t *tokens, float *grad);

/* ---- the model file ----
 * Little-endian, 64-byte header then the weights:
 *    0 magic "ATVN"   4 version (1)   8 vocab (256)   12 d_model   16 n_layers   20 n_heads
 *   24 d_ff          28 context     32 parameter count P           36..59 reserved (0)
 *   60 CRC-32 (atome_crc32) of bytes 0..59 and the payload
 *   64 f32[P] in the arena's order
 * Written atomically (temporary file, fsync, rename). */
#define VANILLA_MAGIC 0x4E565441u /* "ATVN" read little-endian */
#define VANILLA_VERSION 1
#define VANILLA_HEADER_BYTES 64

/* Returns 0, or -1 with one line in err (nothing is left behind on error). */
int vanilla_save(const char *path, const vanilla_config *c, const float *params, char *err, size_t errlen);
/* Reads a model file: *c and a malloc'd *params (free it). Returns 0, or -1 with one line in err
 * naming the file and the problem (missing, not a vanilla model, another version, truncated,
 * trailing bytes, corrupt, bad dimensions); *params is NULL on error. */
int vanilla_load(const char *path, vanilla_config *c, float **params, char *err, size_t errlen);

#endif

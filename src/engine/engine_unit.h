/* engine_unit.h — what each src/engine/ file sets before it compiles one engine source.
 *
 * Arduino gives a library no flags of its own, and its cores compile C as GNU C, where GCC
 * contracts a*b+c into one fused multiply-add wherever the CPU has one: the logits would then
 * differ from the host's and the trainer's. The pragmas are -ffp-contract=off for what follows. Math
 * errno can stay: it only adds a call to libm's sqrtf for negative inputs, which atome_sqrtf never
 * passes on (so a core must link -lm, as Arduino's do).
 */
#include "../atome_sizes.h"
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

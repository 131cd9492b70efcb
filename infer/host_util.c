/* host_util.c — router entropy for atome-infer's modes. */
#define _POSIX_C_SOURCE 200809L
#include "host_util.h"
#include <math.h>

double router_entropy(const float *r) {
    double h = 0.0;
    for (int i = 0; i < 3; i++)
        if (r[i] > 0.0f) h -= (double)r[i] * log((double)r[i]);
    return h / log(3.0);
}

/* host_util.h — what atome-infer's modes share on the host (never part of the engine). */
#ifndef ATOME_HOST_UTIL_H
#define ATOME_HOST_UTIL_H

/* Router entropy of one layer's mix r[3], in units of ln 3 (0: one pathway decides, 1: all equal). */
double router_entropy(const float *r);

#endif

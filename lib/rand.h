/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small seeded PRNG (xorshift64*), so that every randomized run can be
 * repeated exactly from the seed it prints.
 */
#ifndef KMT_RAND_H
#define KMT_RAND_H

#include "abi/types.h"

struct rng {
	u64 state;
};

static inline void rng_seed(struct rng *r, u64 seed)
{
	r->state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static inline u64 rng_next(struct rng *r)
{
	u64 x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n). */
static inline u64 rng_below(struct rng *r, u64 n)
{
	return n ? rng_next(r) % n : 0;
}

#endif

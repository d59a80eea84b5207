/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bitmaps of u64 words, one bit per 4 KiB page, in the layout
 * KVM_GET_DIRTY_LOG and KVM_CLEAR_DIRTY_LOG use on x86 (bit i of the
 * slot's bitmap is page i; words little-endian).
 */
#ifndef KMT_BITMAP_H
#define KMT_BITMAP_H

#include "abi/types.h"

/* Bytes of a bitmap of @nr bits, whole words (what KVM reads and writes). */
static inline size_t bitmap_bytes(u64 nr)
{
	return (size_t)((nr + 63) / 64 * 8);
}

static inline bool bitmap_test(const u64 *b, u64 bit)
{
	return b[bit / 64] & (1ULL << (bit % 64));
}

static inline void bitmap_assign(u64 *b, u64 bit, bool on)
{
	if (on)
		b[bit / 64] |= 1ULL << (bit % 64);
	else
		b[bit / 64] &= ~(1ULL << (bit % 64));
}

/* Set bits among the first @nr. */
static inline u64 bitmap_weight(const u64 *b, u64 nr)
{
	u64 i, n = 0;

	for (i = 0; i < nr; i++)
		n += bitmap_test(b, i);
	return n;
}

#endif

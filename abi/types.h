/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fixed-width types shared by host and guest code.  Guest code is
 * freestanding, so this must not pull in anything from libc beyond the
 * compiler-provided <stdint.h>/<stdbool.h>/<stddef.h>.
 */
#ifndef KMT_ABI_TYPES_H
#define KMT_ABI_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define KMT_STATIC_ASSERT(cond) _Static_assert(cond, #cond)

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The memory worker (guest_code/mem_worker.c): a guest that fills,
 * verifies and rewrites large ranges of memory on the host's command, for
 * tests where op scripts would be too long (dirty logging over whole
 * memslots).  The worker waits in UCALL_SYNC; the host writes a command
 * into struct guest_percpu.args and resumes it.
 *
 *   args[WORKER_CMD]    enum worker_cmd
 *   args[WORKER_BASE]   guest VA of page 0 of the range
 *   args[WORKER_PAGES]  number of 4 KiB pages
 *   args[WORKER_GEN]    generation mixed into the pattern
 *   args[WORKER_LIST]   guest VA of a u32 array of page indices
 *   args[WORKER_COUNT]  entries in that array
 */
#ifndef KMT_ABI_WORKER_CMD_H
#define KMT_ABI_WORKER_CMD_H

#include "types.h"

enum worker_cmd {
	WORKER_EXIT,
	WORKER_FILL,		/* every page gets the pattern of WORKER_GEN */
	WORKER_VERIFY,		/* every page must hold it; UCALL_ASSERT if not */
	WORKER_WRITE_LIST,	/* listed pages get the pattern of WORKER_GEN */
	WORKER_VERIFY_LIST,	/* listed pages must hold it */
};

enum {
	WORKER_CMD,
	WORKER_BASE,
	WORKER_PAGES,
	WORKER_GEN,
	WORKER_LIST,
	WORKER_COUNT,
};

/*
 * Two words per page: the first, and one whose offset moves with the
 * page index, so a page mapped at the wrong offset of a split huge page
 * cannot pass by accident.
 */
static inline u32 worker_pattern(u32 page, u32 gen)
{
	return (page * 0x9e3779b1U) ^ (gen * 0x85ebca77U) ^ 0x5a5a0001U;
}

static inline u32 worker_second_word(u32 page)
{
	return 1 + (page * 7) % 1023;	/* word index 1..1023 */
}

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Op scripts: the host generates a sequence of guest operations (accesses,
 * page-table entry writes, TLB flushes, CR3 switches), the guest's op
 * interpreter executes them and records one result per op, and the host
 * predicts every result with the reference page walker on a mirror of guest
 * memory.  Keeping the page-table logic on the host means guest code needs
 * no knowledge of paging formats: an entry write is just a 4- or 8-byte
 * store to an address the host computed.
 *
 * Interpreter arguments (struct guest_percpu.args):
 *   args[0] guest address of the struct guest_op array
 *   args[1] number of ops
 *   args[2] guest address of the struct guest_op_result array
 */
#ifndef KMT_ABI_OPS_H
#define KMT_ABI_OPS_H

#include "types.h"

enum guest_op_code {
	OP_END,
	OP_READ32,	/* result.value = *(u32 *)va */
	OP_WRITE32,	/* *(u32 *)va = value */
	OP_WRITE64,	/* atomic 8-byte store (cmpxchg8b on 32-bit) */
	OP_INVLPG,	/* invlpg va */
	OP_WRITE_CR3,	/* cr3 = value (also reloads PAE PDPTEs) */
	OP_SYNC,	/* UCALL_SYNC(index of this op, value) */
	OP_USER_READ32,	/* OP_READ32 at CPL 3 */
	OP_USER_WRITE32, /* OP_WRITE32 at CPL 3 */
	OP_SET_WP,	/* CR0.WP = value (0 or 1) */
	OP_FETCH,	/* call va (the host put a RET there): an ifetch */
	OP_SET_CR4,	/* CR4 = (CR4 & ~va) | value (PSE, SMEP, SMAP bits) */
	OP_SET_AC,	/* EFLAGS.AC = value (STAC / CLAC): kept for the ops
			 * after it, also across CPL 3 accesses */
	OP_NR_CODES,
};

#define OP_CR4_PSE	(1U << 4)
#define OP_CR4_SMEP	(1U << 20)
#define OP_CR4_SMAP	(1U << 21)

/* Host-side only: how a result is compared (the guest ignores it). */
#define OPF_IGNORE_AD	(1U << 0)	/* read of an entry: A/D may differ */
/* Read of an entry: D as predicted, A at least where predicted. */
#define OPF_ENTRY_AD	(1U << 1)
/* Runs on the second vCPU (lib/engine.h, script_run_pair()). */
#define OPF_VCPU1	(1U << 2)
/*
 * Nested runs (lib/engine.h): OP_WRITE64 by L1 at physical address va
 * (an entry of the nested page table), not an access of L2.
 */
#define OPF_L1		(1U << 3)

struct guest_op {
	u32 code;
	u32 flags;
	u64 va;
	u64 value;
};

struct guest_op_result {
	u32 vector;	/* FAULT_NONE, or the exception the op raised */
	u32 error_code;
	u64 cr2;
	u64 value;	/* what OP_READ32 read */
};

#endif

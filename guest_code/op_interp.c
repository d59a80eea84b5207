// SPDX-License-Identifier: GPL-2.0-only
/*
 * The op interpreter: runs a host-generated script of accesses, page-table
 * entry writes and TLB/CR3 operations, one result per op (see
 * abi/ops.h).  It knows nothing of paging formats; every prediction is
 * made on the host by the reference walker.
 */
#include "runtime/guest.h"

#include "abi/ops.h"

#define CR0_WP	(1UL << 16)

static unsigned long cr4_read(void)
{
	unsigned long v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void cr4_write(unsigned long v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/*
 * @ac: EFLAGS.AC as the script set it (OP_SET_AC).  Each op starts with
 * it: a CPL 3 access returns to CPL 0 through a gate, which leaves AC as
 * CPL 3 had it (clear).
 */
static void run_op(const struct guest_op *op, struct guest_op_result *res,
		   u32 index, bool *ac)
{
	struct fault_info f = { FAULT_NONE, 0, 0 };
	unsigned long va = (unsigned long)op->va;

	res->value = 0;
	if (*ac)
		stac();
	switch (op->code) {
	case OP_READ32:
		res->value = guest_read32_safe(va, &f);
		break;
	case OP_WRITE32:
		guest_write32_safe(va, (u32)op->value, &f);
		break;
	case OP_WRITE64:
		guest_write64_safe(va, op->value, &f);
		break;
	case OP_INVLPG:
		invlpg(va);
		break;
	case OP_WRITE_CR3:
		write_cr3((unsigned long)op->value);
		break;
	case OP_FETCH:
		guest_fetch_safe(va, &f);
		break;
	case OP_SET_WP:
		write_cr0(op->value ? read_cr0() | CR0_WP : read_cr0() & ~CR0_WP);
		break;
	case OP_USER_READ32:
		res->value = guest_user_read32_safe(va, &f);
		break;
	case OP_USER_WRITE32:
		guest_user_write32_safe(va, (u32)op->value, &f);
		break;
	case OP_SET_CR4:
		cr4_write((cr4_read() & ~va) | (unsigned long)op->value);
		break;
	case OP_SET_AC:
		*ac = op->value;
		if (*ac)
			stac();
		else
			clac();
		break;
	case OP_SYNC:
		GUEST_SYNC(index, op->value);
		break;
	default:
		GUEST_ASSERT_EQ(op->code, OP_END);
	}
	res->vector = f.vector;
	res->error_code = f.error_code;
	res->cr2 = f.cr2;
}

void guest_main(struct guest_percpu *pc)
{
	const struct guest_op *ops = (const void *)(unsigned long)pc->args[0];
	struct guest_op_result *res = (void *)(unsigned long)pc->args[2];
	u32 n = (u32)pc->args[1], i;
	bool ac = false;

	for (i = 0; i < n && ops[i].code != OP_END; i++) {
		run_op(&ops[i], &res[i], i, &ac);
		GUEST_PROGRESS(pc, i + 1);	/* ops done: i + 1 is in flight */
	}
}

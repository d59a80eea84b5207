/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the two L1 hypervisor images (l1_svm, l1_vmx) share: L2's
 * registers as the entry wrappers (l1_*_asm.S) load and store them, and
 * their exchange with the host through args[L1_ARG_RSI..RDI]
 * (abi/nested_cmd.h).  The L2 routines and the export table naming them
 * are guest_code/l2_code.S.
 *
 * Assembly includes it for the offsets of struct l2_regs; the macros the
 * wrappers share are guest_code/l1_regs.S.
 */
#ifndef KMT_GUEST_L1_H
#define KMT_GUEST_L1_H

#define L2_REGS_RSI	0
#define L2_REGS_RCX	8
#define L2_REGS_RDX	16
#define L2_REGS_RDI	24
#define L2_REGS_RAX	32

#ifndef __ASSEMBLER__
#include "runtime/guest.h"

#include "abi/nested_cmd.h"

/*
 * RAX: VMX leaves L2's RAX in the register; SVM keeps it in the VMCB, so
 * l1_svm reads it from there.
 */
struct l2_regs {
	u64 rsi, rcx, rdx, rdi, rax;
};

_Static_assert(__builtin_offsetof(struct l2_regs, rsi) == L2_REGS_RSI &&
	       __builtin_offsetof(struct l2_regs, rcx) == L2_REGS_RCX &&
	       __builtin_offsetof(struct l2_regs, rdx) == L2_REGS_RDX &&
	       __builtin_offsetof(struct l2_regs, rdi) == L2_REGS_RDI &&
	       __builtin_offsetof(struct l2_regs, rax) == L2_REGS_RAX,
	       "struct l2_regs and its assembly offsets disagree");

/* What the host asks L2 to run with. */
static inline struct l2_regs l2_regs_from_host(const u64 *a)
{
	return (struct l2_regs){ a[L1_ARG_RSI], a[L1_ARG_RCX],
				 a[L1_ARG_RDX], a[L1_ARG_RDI], 0 };
}

/*
 * L1_CMD_EDIT (abi/nested_cmd.h): the host's entries stored by L1 itself,
 * so that KVM sees L1 write its nested page table; the nested root to
 * load (or 0) and a flush wait for the next L2 entry.
 */
struct l1_pending {
	u64 root;
	int flush;
};

static inline void l1_edit(const u64 *a, struct l1_pending *p)
{
	const struct l1_edit *e =
		(const struct l1_edit *)(unsigned long)a[L1_ARG_RSI];
	u64 i;

	for (i = 0; i < a[L1_ARG_RCX]; i++)
		*(volatile u64 *)(unsigned long)e[i].gpa = e[i].value;
	if (a[L1_ARG_RDX])
		p->root = a[L1_ARG_RDX];
	p->flush = 1;
	GUEST_SYNC(0, 0);
}

/* What L2 left, for the host. */
static inline void l2_regs_to_host(u64 *a, const struct l2_regs *r)
{
	a[L1_ARG_RSI] = r->rsi;
	a[L1_ARG_RCX] = r->rcx;
	a[L1_ARG_RDX] = r->rdx;
	a[L1_ARG_RDI] = r->rdi;
}

#endif /* __ASSEMBLER__ */
#endif

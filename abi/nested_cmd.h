/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the nested tests share across vendors: the L2 routines every L1
 * image (guest_code/l1_svm, guest_code/l1_vmx) exports, the pattern they
 * write, and the commands the host gives L1.  The routines themselves are
 * guest_code/l2_code.S; each L1 image assembles them with its own exit
 * instruction (VMMCALL, VMCALL).
 */
#ifndef KMT_ABI_NESTED_CMD_H
#define KMT_ABI_NESTED_CMD_H

#include "types.h"

/* L2 routines, the L1 image's exports in this order. */
enum l2_entry {
	L2_FILL,		/* RSI base, RCX pages, RDX generation */
	L2_VERIFY,		/* same; RAX 1 and RDI page on a mismatch */
	L2_WRITE_LIST,		/* RSI base, RDI u32 list, RCX count, RDX gen */
	L2_ACCESS_LIST,		/* RSI struct l2_access list, RCX count, */
				/* RDI first index, RDX u32 results */
};

/*
 * One access of L2_ACCESS_LIST at L2 GPA @addr (4-byte aligned; bit 0
 * set: store @value, else load into results[index]).  A nested page
 * fault stops the list with RDI at the faulting access's index: the host
 * records it and runs the list again from the next one.
 */
struct l2_access {
	u32 addr;
	u32 value;
};

#define L2_ACCESS_WRITE		1U

/*
 * L1_CMD_EDIT: L1 stores each entry of a list of these into its own
 * memory (the nested page table's entries, so that KVM's write tracking
 * of L1's NPT/EPT pages sees them), then answers UCALL_SYNC(0).  The
 * next L2 entry flushes L2's translations (SVM: TLB_CONTROL, VMX:
 * INVEPT), after loading a new nested root (nCR3 / EPTP) if RDX is not 0.
 */
struct l1_edit {
	u64 gpa;
	u64 value;
};

/* The pattern L2 writes into word 0 of page @i. */
static inline u32 l2_pattern(u32 i, u32 gen)
{
	return (i * 0x9e3779b1U) ^ gen;
}

/* In args[L1_ARG_CMD] of the L1 vCPU's struct guest_percpu. */
enum {
	L1_CMD_EXIT,
	L1_CMD_RUN,
	L1_CMD_EDIT,		/* RSI struct l1_edit list, RCX count, RDX */
				/* new nested root or 0 */
};

/*
 * The L1 vCPU's struct guest_percpu.args: the command, three words of
 * the vendor's protocol (abi/svm.h, abi/vmx.h), then L2's registers,
 * which L1 loads before each entry and stores back after the exit.
 */
enum {
	L1_ARG_CMD,
	L1_ARG_VENDOR,		/* 3 words: SVM_ARG_*, VMX_ARG_* */
	L1_ARG_RSI = L1_ARG_VENDOR + 3,
	L1_ARG_RCX,
	L1_ARG_RDX,
	L1_ARG_RDI,
};

#endif

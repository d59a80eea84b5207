/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L1 side of nested SVM: the VMRUN wrapper, and the L2 code L1 runs
 * (guest_code/l2_code.S).
 *
 * VMRUN loads only RAX, RSP and RIP of L2 from the VMCB; the other
 * general-purpose registers pass through unchanged in both directions,
 * so the wrapper loads L2's RSI/RCX/RDX/RDI before VMRUN and stores what
 * L2 left in them after #VMEXIT (guest_code/l1_regs.S).
 */
#include "l1_regs.S"

	.text
	.code64

/* void svm_run_l2(struct l2_regs *regs, u64 vmcb_pa): rdi, rsi */
	.globl svm_run_l2
svm_run_l2:
	push_callee_saved
	pushq %rdi			/* regs, for after #VMEXIT */
	movq %rsi, %rax			/* VMRUN takes the VMCB in RAX */
	load_l2_regs
	clgi
	vmrun %rax
	stgi
	store_l2_regs
	pop_callee_saved
	ret

/* The L2 routines (abi/nested_cmd.h), ending in VMMCALL. */
	.macro l2_exit
	vmmcall
	.endm
#include "l2_code.S"

	.code64
	.section .note.GNU-stack, "", @progbits

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L1 side of nested SVM: the VMRUN wrapper, and the L2 code L1 runs
 * (guest_code/l2_code.S).
 *
 * VMRUN loads only RAX, RSP and RIP of L2 from the VMCB; the other
 * general-purpose registers pass through unchanged in both directions,
 * so the wrapper loads L2's RSI/RCX/RDX/RDI before VMRUN and stores what
 * L2 left in them after #VMEXIT.
 */
	.text
	.code64

/* void svm_run_l2(u64 vmcb_pa, struct l2_regs *regs): rdi, rsi */
	.globl svm_run_l2
svm_run_l2:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rsi			/* regs, for after #VMEXIT */
	movq %rdi, %rax			/* VMRUN takes the VMCB in RAX */
	movq 8(%rsi), %rcx
	movq 16(%rsi), %rdx
	movq 24(%rsi), %rdi
	movq 0(%rsi), %rsi
	clgi
	vmrun %rax
	stgi
	pushq %rsi
	movq 8(%rsp), %rsi		/* regs */
	movq %rcx, 8(%rsi)
	movq %rdx, 16(%rsi)
	movq %rdi, 24(%rsi)
	popq %rcx
	movq %rcx, 0(%rsi)
	popq %rsi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

/* The L2 routines (abi/nested.h), ending in VMMCALL. */
	.macro l2_exit
	vmmcall
	.endm
#include "l2_code.S"

	.code64
	.section .note.GNU-stack, "", @progbits

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Macros the L1 entry wrappers (l1_svm_asm.S, l1_vmx_asm.S) share: the
 * callee-saved registers, and L2's registers to and from struct l2_regs
 * (guest_code/l1.h), whose address both wrappers take in RDI.
 */
#include "l1.h"

	.macro push_callee_saved
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.endm

	.macro pop_callee_saved
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	.endm

/* L2's RSI/RCX/RDX/RDI from the struct l2_regs at RDI (RDI last). */
	.macro load_l2_regs
	movq L2_REGS_RCX(%rdi), %rcx
	movq L2_REGS_RDX(%rdi), %rdx
	movq L2_REGS_RSI(%rdi), %rsi
	movq L2_REGS_RDI(%rdi), %rdi
	.endm

/*
 * After the exit: L2's RSI/RCX/RDX/RDI into the struct l2_regs whose
 * address the wrapper pushed before the entry; pops it into RSI.  RAX
 * is left alone.
 */
	.macro store_l2_regs
	pushq %rsi
	movq 8(%rsp), %rsi
	movq %rcx, L2_REGS_RCX(%rsi)
	movq %rdx, L2_REGS_RDX(%rsi)
	movq %rdi, L2_REGS_RDI(%rsi)
	popq %rcx
	movq %rcx, L2_REGS_RSI(%rsi)
	popq %rsi
	.endm

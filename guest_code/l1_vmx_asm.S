/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L1 side of nested VMX: the VM-entry wrapper, and the L2 code L1 runs
 * (guest_code/l2_code.S).
 *
 * A VM exit loads RSP and RIP from the VMCS host-state area and leaves
 * every other general-purpose register as L2 left it, so the wrapper
 * points HOST_RSP/HOST_RIP at its own frame and exit label right before
 * the entry, loads L2's RSI/RCX/RDX/RDI, and after the exit stores what
 * L2 left in them and in RAX (guest_code/l1_regs.S).  Callee-saved
 * registers go on the stack.
 */
#include "abi/vmx.h"
#include "l1_regs.S"

	.text
	.code64

/*
 * int vmx_run_l2(struct l2_regs *regs, int launched): rdi, esi.
 * Returns 0 after a VM exit, 1 when VMLAUNCH/VMRESUME failed (the
 * VM-instruction error field says why).
 */
	.globl vmx_run_l2
vmx_run_l2:
	push_callee_saved
	pushq %rdi			/* regs, for after the exit */
	movl $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax
	jna 2f
	movl $VMCS_HOST_RIP, %eax
	leaq 1f(%rip), %rdx
	vmwrite %rdx, %rax
	jna 2f
	movl %esi, %ebx			/* launched */
	load_l2_regs
	testl %ebx, %ebx
	jnz 3f
	vmlaunch
	jmp 2f
3:	vmresume
2:	popq %rdi			/* VMfailInvalid/VMfailValid */
	movl $1, %eax
	jmp 4f

1:	store_l2_regs			/* the VM exit lands here */
	movq %rax, L2_REGS_RAX(%rsi)
	xorl %eax, %eax
4:	pop_callee_saved
	ret

/* The L2 routines (abi/nested_cmd.h), ending in VMCALL. */
	.macro l2_exit
	vmcall
	.endm
#include "l2_code.S"

	.code64
	.section .note.GNU-stack, "", @progbits

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 64-bit guest entry and exception stubs.  The host enters at _start in long
 * mode with RSP 16-byte aligned at the top of the vCPU's stack and GS based
 * at its struct guest_percpu.
 */
#include "abi/layout.h"

#define PERCPU_OFF_USER_SP 480	/* abi/percpu.h, checked there */

	.section .text.header, "ax"
	.globl image_header
image_header:
	.long GUEST_IMAGE_MAGIC
	.long 64
	.quad _start
	.quad exc_stub_table
	.quad __image_end
	.quad guest_exports	/* weak: 0 when the program exports nothing */
	.weak guest_exports

	.section .text.entry, "ax"
	.globl _start
_start:
	movq %gs:0, %rdi
	call guest_entry
1:	cli
	hlt
	jmp 1b

	/* Vectors 8, 10-14, 17, 21, 29 and 30 push an error code; the rest get a 0. */
	.macro exc_stub v
exc_stub_\v:
	.if !((\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30))
	pushq $0
	.endif
	pushq $\v
	jmp exc_common
	.endm

	.altmacro
	.set v, 0
	.rept NR_EXCEPTION_VECTORS
	exc_stub %v
	.set v, v + 1
	.endr

/*
 * The CPU aligned RSP to 16 and pushed 5 qwords, the stub 2 more; the 15
 * registers below bring it back to a 16-byte boundary for the call.
 */
exc_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rbx
	pushq %rbp
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	call guest_exception
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rbp
	popq %rbx
	popq %rdx
	popq %rcx
	popq %rax
	addq $16, %rsp
	iretq

	.macro stub_addr v
	.quad exc_stub_\v
	.endm

/*
 * u32 user_access(u32 kind, u64 va, u32 val): one 4-byte access at CPL 3
 * (kind 0 read, 1 write); see entry32.S.
 */
	.globl user_access, user_abort
user_access:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %gs:PERCPU_OFF_USER_SP
	movq %rsp, LAYOUT_TSS + TSS_SP0
	movl %edi, %eax
	pushq $SEL_UDATA
	pushq $(LAYOUT_USER_STACK + 4096)
	pushq $2
	pushq $SEL_UCODE64
	pushq $user_stub
	iretq
	/* CPL 3 runs from the image's one user page (abi/layout.h). */
	.pushsection .text.user, "ax"
user_stub:
	testl %eax, %eax
	jnz 1f
	movl (%rsi), %eax
	int $USER_RETURN_VECTOR
1:	movl %edx, (%rsi)
	xorl %eax, %eax
	int $USER_RETURN_VECTOR
	.popsection
user_abort:
	xorl %eax, %eax
user_return:
	movq %gs:PERCPU_OFF_USER_SP, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .rodata
	.balign 8
exc_stub_table:
	.set v, 0
	.rept NR_EXCEPTION_VECTORS
	stub_addr %v
	.set v, v + 1
	.endr
	.quad user_return		/* USER_RETURN_VECTOR */

	.section .note.GNU-stack, "", @progbits

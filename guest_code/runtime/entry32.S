/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 32-bit guest entry and exception stubs.  The host enters at _start in
 * protected mode with paging on, ESP at the top of the vCPU's stack and GS
 * based at its struct guest_percpu.
 */
#include "abi/layout.h"

#define PERCPU_OFF_USER_SP 480	/* abi/percpu.h, checked there */

	.section .text.header, "ax"
	.globl image_header
image_header:
	.long GUEST_IMAGE_MAGIC
	.long 32
	.long _start, 0		/* 32-bit relocations, zero-extended to u64 */
	.long exc_stub_table, 0
	.long __image_end, 0
	.long guest_exports, 0	/* weak: 0 when the program exports nothing */
	.weak guest_exports

	.section .text.entry, "ax"
	.globl _start
_start:
	movl %gs:0, %eax
	pushl %eax
	call guest_entry
1:	cli
	hlt
	jmp 1b

	/* Vectors 8, 10-14, 17, 21, 29 and 30 push an error code; the rest get a 0. */
	.macro exc_stub v
exc_stub_\v:
	.if !((\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30))
	pushl $0
	.endif
	pushl $\v
	jmp exc_common
	.endm

	.altmacro
	.set v, 0
	.rept NR_EXCEPTION_VECTORS
	exc_stub %v
	.set v, v + 1
	.endr

exc_common:
	pusha
	pushl %esp
	call guest_exception
	addl $4, %esp
	popa
	addl $8, %esp
	iret

	.macro stub_addr v
	.long exc_stub_\v, 0
	.endm

/*
 * u32 user_access(u32 kind, u32 va, u32 val): one 4-byte access at CPL 3
 * (kind 0 read, 1 write).  The ring-0 context is parked on this stack;
 * the way back is the DPL 3 gate USER_RETURN_VECTOR, or user_abort() from
 * the exception handler when the access faults.
 */
	.globl user_access, user_abort
user_access:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %eax
	movl 24(%esp), %esi
	movl 28(%esp), %edx
	movl %esp, %gs:PERCPU_OFF_USER_SP
	movl %esp, LAYOUT_TSS + TSS_SP0
	pushl $SEL_UDATA
	pushl $(LAYOUT_USER_STACK + 4096)
	pushl $2
	pushl $SEL_UCODE32
	pushl $user_stub
	iret
	/* CPL 3 runs from the image's one user page (abi/layout.h). */
	.pushsection .text.user, "ax"
user_stub:
	testl %eax, %eax
	jnz 1f
	movl (%esi), %eax
	int $USER_RETURN_VECTOR
1:	movl %edx, (%esi)
	xorl %eax, %eax
	int $USER_RETURN_VECTOR
	.popsection
user_abort:
	xorl %eax, %eax
user_return:
	movl %gs:PERCPU_OFF_USER_SP, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.section .rodata
	.balign 8
exc_stub_table:
	.set v, 0
	.rept NR_EXCEPTION_VECTORS
	stub_addr %v
	.set v, v + 1
	.endr
	.long user_return, 0		/* USER_RETURN_VECTOR */

	.section .note.GNU-stack, "", @progbits

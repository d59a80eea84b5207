/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L1 side of nested SVM: the VMRUN wrapper, and the L2 code L1 runs.
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

/*
 * L2 code: 32-bit protected mode, paging off, so linear addresses are L2
 * guest-physical and NPT alone translates them.  Every routine ends in
 * VMMCALL with its result in EAX (0: success).
 *
 * l2_fill:   ESI = first page, ECX = pages, EDX = generation; writes the
 *            pattern of (page index, generation) into word 0 of each page.
 * l2_verify: same registers; on the first mismatch EAX = 1 and
 *            EDI = the page index.
 * l2_write_list: ESI = first page, EDI = u32 page-index list, ECX =
 *            entries, EDX = generation.
 */
	.code32
/*
 * EBX = l2_pattern(page in \page, generation in EDX) (lib/abi/svm.h);
 * EBP = byte offset of that page.
 */
	.macro pattern page
	movl \page, %ebx
	imull $0x9e3779b1, %ebx, %ebx
	xorl %edx, %ebx
	movl \page, %ebp
	shll $12, %ebp
	.endm

/* Ends an L2 routine: VMMCALL with EAX = 0. */
	.macro done
	xorl %eax, %eax
	vmmcall
	hlt
	.endm

	.globl l2_fill, l2_verify, l2_write_list
l2_fill:
	xorl %eax, %eax
1:	cmpl %ecx, %eax
	jae 2f
	pattern %eax
	movl %ebx, (%esi, %ebp)
	incl %eax
	jmp 1b
2:	done

l2_verify:
	xorl %eax, %eax
1:	cmpl %ecx, %eax
	jae 2f
	pattern %eax
	cmpl %ebx, (%esi, %ebp)
	jne 3f
	incl %eax
	jmp 1b
2:	done
3:	movl %eax, %edi
	movl $1, %eax
	vmmcall
	hlt

l2_write_list:
	xorl %eax, %eax
1:	cmpl %ecx, %eax
	jae 2f
	pattern "(%edi, %eax, 4)"
	movl %ebx, (%esi, %ebp)
	incl %eax
	jmp 1b
2:	done

	.code64
	.section .note.GNU-stack, "", @progbits

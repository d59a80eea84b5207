/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L2 routines of the nested tests (enum l2_entry, abi/nested_cmd.h),
 * included by each L1 image's assembly (l1_svm_asm.S, l1_vmx_asm.S) after
 * it defines the macro l2_exit, the instruction that hands control back
 * to L1 (VMMCALL, VMCALL).  Leaves the assembler in .code32.
 *
 * L2 runs in 32-bit protected mode with paging off, so linear addresses
 * are L2 guest-physical and NPT/EPT alone translates them.  Every routine
 * ends in l2_exit with its result in EAX (0: success).
 *
 * l2_fill:   ESI = first page, ECX = pages, EDX = generation; writes the
 *            pattern of (page index, generation) into word 0 of each page.
 * l2_verify: same registers; on the first mismatch EAX = 1 and
 *            EDI = the page index.
 * l2_write_list: ESI = first page, EDI = u32 page-index list, ECX =
 *            entries, EDX = generation.
 * l2_access_list: ESI = struct l2_access list, ECX = entries, EDI =
 *            first index, EDX = u32 results; a nested page fault exits
 *            with EDI at the faulting access (abi/nested_cmd.h).
 *
 * guest_exports, the table the image header points at, names them in
 * the order of enum l2_entry for the host (vm_guest_export()).
 */
	.code32
/*
 * EBX = l2_pattern(page in \page, generation in EDX) (abi/nested_cmd.h);
 * EBP = byte offset of that page.
 */
	.macro pattern page
	movl \page, %ebx
	imull $0x9e3779b1, %ebx, %ebx
	xorl %edx, %ebx
	movl \page, %ebp
	shll $12, %ebp
	.endm

/* Ends an L2 routine with EAX = 0. */
	.macro done
	xorl %eax, %eax
	l2_exit
	hlt
	.endm

	.globl l2_fill, l2_verify, l2_write_list, l2_access_list
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
	l2_exit
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

l2_access_list:
1:	cmpl %ecx, %edi
	jae 2f
	movl (%esi, %edi, 8), %ebx
	movl 4(%esi, %edi, 8), %eax
	btrl $0, %ebx
	jc 3f
	movl (%ebx), %eax
	movl %eax, (%edx, %edi, 4)
	incl %edi
	jmp 1b
3:	movl %eax, (%ebx)
	incl %edi
	jmp 1b
2:	done

	.section .rodata
	.balign 8
	.globl guest_exports
guest_exports:
	.quad l2_fill, l2_verify, l2_write_list, l2_access_list
	.text

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SVM facts shared by the host library (which builds the VMCB) and the
 * L1 guest code (which runs VMRUN): VMCB field offsets, exit codes, MSRs.
 * From the AMD64 Architecture Programmer's Manual vol. 2, appendix B
 * (VMCB layout) and chapter 15.
 *
 * The nested protocol: the host writes a command into the L1 vCPU's
 * struct guest_percpu.args and resumes L1 from UCALL_SYNC; L1 loads the
 * L2 registers from args, runs VMRUN until L2 exits, and reports the
 * exit with UCALL_SYNC(exit code, L2 RAX).
 */
#ifndef KMT_ABI_SVM_H
#define KMT_ABI_SVM_H

#include "nested_cmd.h"
#include "types.h"

#define MSR_EFER		0xc0000080
#define EFER_SVME		(1ULL << 12)
#define MSR_VM_HSAVE_PA		0xc0010117

/* Control area. */
#define VMCB_INTERCEPT_CR	0x000	/* u32: reads 15:0, writes 31:16 */
#define VMCB_INTERCEPT_DR	0x004
#define VMCB_INTERCEPT_EXCEPTIONS 0x008	/* u32, one bit per vector */
#define VMCB_INTERCEPT_MISC1	0x00c
#define VMCB_INTERCEPT_MISC2	0x010
#define VMCB_IOPM_BASE		0x040
#define VMCB_MSRPM_BASE		0x048
#define VMCB_ASID		0x058
#define VMCB_TLB_CONTROL	0x05c	/* u8 */
#define TLB_CONTROL_FLUSH_ALL	1	/* every ASID's translations */
#define VMCB_EXIT_CODE		0x070
#define VMCB_EXIT_INFO1		0x078
#define VMCB_EXIT_INFO2		0x080
#define VMCB_NP_ENABLE		0x090
#define VMCB_N_CR3		0x0b0

/* State save area. */
#define VMCB_SAVE		0x400
#define VMCB_ES			0x400
#define VMCB_CS			0x410
#define VMCB_SS			0x420
#define VMCB_DS			0x430
#define VMCB_GDTR		0x460
#define VMCB_IDTR		0x480
#define VMCB_CPL		0x4cb
#define VMCB_EFER		0x4d0
#define VMCB_CR4		0x548
#define VMCB_CR3		0x550
#define VMCB_CR0		0x558
#define VMCB_DR7		0x560
#define VMCB_DR6		0x568
#define VMCB_RFLAGS		0x570
#define VMCB_RIP		0x578
#define VMCB_RSP		0x5d8
#define VMCB_RAX		0x5f8
#define VMCB_G_PAT		0x668

#define INTERCEPT_MISC1_HLT	(1U << 24)
#define INTERCEPT_MISC1_SHUTDOWN (1U << 31)
#define INTERCEPT_MISC2_VMRUN	(1U << 0)
#define INTERCEPT_MISC2_VMMCALL	(1U << 1)

#define SVM_EXIT_EXCP_BASE	0x040
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	(~0ULL)

/* SVM's words of an L2 run in struct guest_percpu.args (abi/nested_cmd.h). */
enum {
	SVM_ARG_VMCB = L1_ARG_VENDOR,	/* guest physical address of the VMCB */
	SVM_ARG_HSAVE,		/* of the host save area */
	SVM_ARG_RIP,		/* L2 entry point */
};

#endif

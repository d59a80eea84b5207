/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VMX facts shared by the host library (which decides every VMCS
 * field) and the L1 guest code (which executes VMXON, VMPTRLD, VMWRITE,
 * VMLAUNCH/VMRESUME): VMCS field encodings, control bits, exit reasons,
 * capability MSRs and EPT entry bits.  From the Intel SDM vol. 3C,
 * appendix B (field encodings), appendix A (capability MSRs), chapter 25
 * (VMCS controls), chapter 29 (EPT) and appendix C (exit reasons).
 *
 * The nested protocol: the host writes a command into the L1 vCPU's
 * struct guest_percpu.args and resumes L1 from UCALL_SYNC.  At start L1
 * enables VMX (CR4.VMXE, IA32_FEATURE_CONTROL), executes VMXON, VMCLEAR
 * and VMPTRLD on the regions the host named, and reports
 * UCALL_SYNC(0, status).  For each run L1 VMWRITEs the host's field list
 * (struct vmx_field at args[VMX_ARG_FIELDS]), loads L2's RSI/RCX/RDX/RDI,
 * enters L2 (VMLAUNCH the first time, VMRESUME after) and reports the
 * exit with UCALL_SYNC(exit reason, L2 RAX, exit qualification, guest-
 * physical address for EPT exits / exit interruption information
 * otherwise); a failed VMX instruction reports VMX_L1_FAIL | the VM-
 * instruction error as the exit reason.
 */
#ifndef KMT_ABI_VMX_H
#define KMT_ABI_VMX_H

/* The assembly of guest_code/l1_vmx_asm.S takes only the encodings. */
#ifndef __ASSEMBLER__
#include "nested_cmd.h"
#include "types.h"
#endif

/* MSRs. */
#define MSR_IA32_FEATURE_CONTROL	0x03a
#define FEATURE_CONTROL_LOCKED		(1ULL << 0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX (1ULL << 2)
#define MSR_IA32_VMX_BASIC		0x480
#define MSR_IA32_VMX_CR0_FIXED0		0x486
#define MSR_IA32_VMX_CR0_FIXED1		0x487
#define MSR_IA32_VMX_CR4_FIXED0		0x488
#define MSR_IA32_VMX_CR4_FIXED1		0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP	0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	0x490
/* The non-TRUE forms, for a CPU without IA32_VMX_BASIC bit 55. */
#define MSR_IA32_VMX_PINBASED_CTLS	0x481
#define MSR_IA32_VMX_PROCBASED_CTLS	0x482
#define MSR_IA32_VMX_EXIT_CTLS		0x483
#define MSR_IA32_VMX_ENTRY_CTLS		0x484

#define VMX_BASIC_REVISION(v)		((u32)(v) & 0x7fffffff)
#define VMX_BASIC_TRUE_CTLS		(1ULL << 55)

#define EPT_CAP_WALK_4			(1ULL << 6)
#define EPT_CAP_WB			(1ULL << 14)
#define EPT_CAP_2M			(1ULL << 16)
#define EPT_CAP_1G			(1ULL << 17)
#define EPT_CAP_AD			(1ULL << 21)

#define CR4_VMXE			(1ULL << 13)

/* 16-bit fields. */
#define VMCS_GUEST_ES_SEL		0x0800
#define VMCS_GUEST_CS_SEL		0x0802
#define VMCS_GUEST_SS_SEL		0x0804
#define VMCS_GUEST_DS_SEL		0x0806
#define VMCS_GUEST_FS_SEL		0x0808
#define VMCS_GUEST_GS_SEL		0x080a
#define VMCS_GUEST_LDTR_SEL		0x080c
#define VMCS_GUEST_TR_SEL		0x080e
#define VMCS_HOST_ES_SEL		0x0c00
#define VMCS_HOST_CS_SEL		0x0c02
#define VMCS_HOST_SS_SEL		0x0c04
#define VMCS_HOST_DS_SEL		0x0c06
#define VMCS_HOST_FS_SEL		0x0c08
#define VMCS_HOST_GS_SEL		0x0c0a
#define VMCS_HOST_TR_SEL		0x0c0c

/* 64-bit fields. */
#define VMCS_EPT_POINTER		0x201a
#define VMCS_GUEST_PHYSICAL_ADDRESS	0x2400
#define VMCS_LINK_POINTER		0x2800
#define VMCS_GUEST_DEBUGCTL		0x2802
#define VMCS_GUEST_EFER			0x2806
#define VMCS_GUEST_PDPTE0		0x280a	/* PDPTE1-3: +2, +4, +6 */
#define VMCS_HOST_EFER			0x2c02

/* 32-bit fields. */
#define VMCS_PIN_CONTROLS		0x4000
#define VMCS_PROC_CONTROLS		0x4002
#define VMCS_EXCEPTION_BITMAP		0x4004
#define VMCS_PF_ERROR_MASK		0x4006
#define VMCS_PF_ERROR_MATCH		0x4008
#define VMCS_CR3_TARGET_COUNT		0x400a
#define VMCS_EXIT_CONTROLS		0x400c
#define VMCS_EXIT_MSR_STORE_COUNT	0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT	0x4010
#define VMCS_ENTRY_CONTROLS		0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT	0x4014
#define VMCS_ENTRY_INTR_INFO		0x4016
#define VMCS_PROC_CONTROLS2		0x401e
#define VMCS_VM_INSTRUCTION_ERROR	0x4400
#define VMCS_EXIT_REASON		0x4402
#define VMCS_EXIT_INTR_INFO		0x4404
#define VMCS_GUEST_ES_LIMIT		0x4800
#define VMCS_GUEST_CS_LIMIT		0x4802
#define VMCS_GUEST_SS_LIMIT		0x4804
#define VMCS_GUEST_DS_LIMIT		0x4806
#define VMCS_GUEST_FS_LIMIT		0x4808
#define VMCS_GUEST_GS_LIMIT		0x480a
#define VMCS_GUEST_LDTR_LIMIT		0x480c
#define VMCS_GUEST_TR_LIMIT		0x480e
#define VMCS_GUEST_GDTR_LIMIT		0x4810
#define VMCS_GUEST_IDTR_LIMIT		0x4812
#define VMCS_GUEST_ES_AR		0x4814
#define VMCS_GUEST_CS_AR		0x4816
#define VMCS_GUEST_SS_AR		0x4818
#define VMCS_GUEST_DS_AR		0x481a
#define VMCS_GUEST_FS_AR		0x481c
#define VMCS_GUEST_GS_AR		0x481e
#define VMCS_GUEST_LDTR_AR		0x4820
#define VMCS_GUEST_TR_AR		0x4822
#define VMCS_GUEST_INTERRUPTIBILITY	0x4824
#define VMCS_GUEST_ACTIVITY_STATE	0x4826
#define VMCS_GUEST_SYSENTER_CS		0x482a
#define VMCS_HOST_SYSENTER_CS		0x4c00

/* Natural-width fields. */
#define VMCS_CR0_GUEST_HOST_MASK	0x6000
#define VMCS_CR4_GUEST_HOST_MASK	0x6002
#define VMCS_CR0_READ_SHADOW		0x6004
#define VMCS_CR4_READ_SHADOW		0x6006
#define VMCS_EXIT_QUALIFICATION		0x6400
#define VMCS_GUEST_CR0			0x6800
#define VMCS_GUEST_CR3			0x6802
#define VMCS_GUEST_CR4			0x6804
#define VMCS_GUEST_ES_BASE		0x6806
#define VMCS_GUEST_CS_BASE		0x6808
#define VMCS_GUEST_SS_BASE		0x680a
#define VMCS_GUEST_DS_BASE		0x680c
#define VMCS_GUEST_FS_BASE		0x680e
#define VMCS_GUEST_GS_BASE		0x6810
#define VMCS_GUEST_LDTR_BASE		0x6812
#define VMCS_GUEST_TR_BASE		0x6814
#define VMCS_GUEST_GDTR_BASE		0x6816
#define VMCS_GUEST_IDTR_BASE		0x6818
#define VMCS_GUEST_DR7			0x681a
#define VMCS_GUEST_RSP			0x681c
#define VMCS_GUEST_RIP			0x681e
#define VMCS_GUEST_RFLAGS		0x6820
#define VMCS_GUEST_PENDING_DBG		0x6822
#define VMCS_GUEST_SYSENTER_ESP		0x6824
#define VMCS_GUEST_SYSENTER_EIP		0x6826
#define VMCS_HOST_CR0			0x6c00
#define VMCS_HOST_CR3			0x6c02
#define VMCS_HOST_CR4			0x6c04
#define VMCS_HOST_FS_BASE		0x6c06
#define VMCS_HOST_GS_BASE		0x6c08
#define VMCS_HOST_TR_BASE		0x6c0a
#define VMCS_HOST_GDTR_BASE		0x6c0c
#define VMCS_HOST_IDTR_BASE		0x6c0e
#define VMCS_HOST_SYSENTER_ESP		0x6c10
#define VMCS_HOST_SYSENTER_EIP		0x6c12
#define VMCS_HOST_RSP			0x6c14
#define VMCS_HOST_RIP			0x6c16

/* Primary processor-based controls. */
#define PROC_HLT_EXITING		(1U << 7)
#define PROC_UNCOND_IO_EXITING		(1U << 24)
#define PROC_SECONDARY_CONTROLS		(1U << 31)
/* Secondary processor-based controls. */
#define PROC2_ENABLE_EPT		(1U << 1)
#define PROC2_UNRESTRICTED_GUEST	(1U << 7)
/* VM-exit controls. */
#define EXIT_HOST_ADDR_SPACE_SIZE	(1U << 9)
#define EXIT_SAVE_EFER			(1U << 20)
#define EXIT_LOAD_EFER			(1U << 21)
/* VM-entry controls. */
#define ENTRY_IA32E_MODE_GUEST		(1U << 9)
#define ENTRY_LOAD_EFER			(1U << 15)

/* Segment access rights: the descriptor's bits 15:8 and 23:20, packed. */
#define VMX_AR_CODE32			0xc09b	/* exec/read, accessed, G, D */
#define VMX_AR_DATA32			0xc093	/* read/write, accessed, G, B */
#define VMX_AR_TSS32_BUSY		0x008b
#define VMX_AR_UNUSABLE			(1U << 16)

/* Basic exit reasons (bits 15:0 of the exit reason field). */
#define VMX_EXIT_EXCEPTION		0
#define VMX_EXIT_TRIPLE_FAULT		2
#define VMX_EXIT_HLT			12
#define VMX_EXIT_VMCALL			18
#define VMX_EXIT_INVALID_STATE		33
#define VMX_EXIT_EPT_VIOLATION		48
#define VMX_EXIT_EPT_MISCONFIG		49
#define VMX_EXIT_ENTRY_FAILURE		(1U << 31)
/* What L1 reports as the exit reason when a VMX instruction failed. */
#define VMX_L1_FAIL			(1ULL << 32)

/* EPT pointer: write-back paging structures, 4-level walk, A/D bits. */
#define EPTP_WB				6ULL
#define EPTP_WALK_4			(3ULL << 3)
#define EPTP_AD				(1ULL << 6)
/* EPT entries: R, W, X in bits 2:0 (the same bits as P, W, U of the */
/* other formats), memory type of a leaf in bits 5:3. */
#define EPT_R				(1ULL << 0)
#define EPT_W				(1ULL << 1)
#define EPT_X				(1ULL << 2)
#define EPT_MT_WB			(6ULL << 3)

#ifndef __ASSEMBLER__
/* VMX's words in struct guest_percpu.args (abi/nested_cmd.h). */
enum {
	VMX_ARG_VMXON = L1_ARG_VENDOR,	/* guest physical address of the VMXON region */
	VMX_ARG_VMCS,		/* of the VMCS */
	VMX_ARG_FIELDS,		/* of the field list (struct vmx_fields) */
};

/* The VMCS fields L1 writes before the next L2 entry, in order. */
struct vmx_field {
	u64 encoding;
	u64 value;
};

#define VMX_MAX_FIELDS	255

struct vmx_fields {
	u64 count;
	struct vmx_field f[VMX_MAX_FIELDS];
};
#endif /* __ASSEMBLER__ */

#endif

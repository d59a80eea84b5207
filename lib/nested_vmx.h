/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested VMX, host side: the VMXON region, the VMCS (as the list of field
 * values L1 VMWRITEs) and the EPT tables of an L2 guest, all in L1's
 * memory, and the protocol to make L1 (guest_code/l1_vmx.c) run L2.  The
 * same shape as lib/nested_svm.h, so a test picks its vendor at run time.
 *
 * L2 runs in 32-bit protected mode with paging off (unrestricted guest),
 * so its linear addresses are L2 guest-physical and EPT alone decides
 * where they land in L1's memory; the L1 runtime region is identity
 * mapped so L2 can run code from L1's image.  L2 returns by VMCALL; no
 * timer is needed to get it back.  EPT accessed/dirty flags are enabled
 * when L1 has them, as NPT always does: KVM then shadows a clean guest
 * page read-only, so two aliases of one L1 page that L2 reads through
 * one and writes through the other get different access, as under NPT.
 * Without them KVM shares one split child between aliases.
 *
 *   GUEST_PROGRAM64_DECLARE(l1_vmx);
 *   vm = vm_create_guest(PAGING_LM4, &GUEST_PROGRAM64(l1_vmx), mem);
 *   vmx_l2_init(&l2, vm_guest_vcpu_add(vm, 0));
 *   vmx_l2_map(&l2, l2_gpa, l1_gpa, size, PAGE_SIZE_2M);
 *   vmx_l2_run(&l2, L2_FILL, &regs, &exit);
 */
#ifndef KMT_NESTED_VMX_H
#define KMT_NESTED_VMX_H

#include "abi/vmx.h"
#include "kvm.h"

struct vmx_l2 {
	struct kvm_vcpu *vcpu;	/* the L1 vCPU */
	u64 vmxon, vmcs, fields;
	struct pgtable ept;	/* L2 GPA -> L1 GPA */
	u64 ept_caps;		/* IA32_VMX_EPT_VPID_CAP as L1 sees it */
	bool ept_ad;		/* EPT accessed/dirty flags are on */
	bool launched;		/* the full field list has been written */
};

/* L2's registers in (rsi, rcx, rdx, rdi) and its exit out. */
struct vmx_l2_regs {
	u64 rsi, rcx, rdx, rdi;
};

struct vmx_exit {
	u64 reason;		/* or VMX_L1_FAIL | VM-instruction error */
	u64 rax;		/* L2's RAX */
	u64 qualification;
	u64 info;		/* EPT exits: the guest-physical address; */
				/* others: exit interruption information */
};

/*
 * Whether KVM offers L1 VMX with EPT and unrestricted guest; @why: the
 * SKIP reason.
 */
bool nested_vmx_supported(char *why, size_t size);

/*
 * Starts L1 on @l1_vcpu (it enables VMX and loads the VMCS) and builds
 * the VMCS from L1's state and capability MSRs; the EPT maps the L1
 * runtime region 1:1.
 */
void vmx_l2_init(struct vmx_l2 *l2, struct kvm_vcpu *l1_vcpu);
/*
 * Maps [l2_gpa, +size) onto [l1_gpa, +size) in the EPT with @page_size
 * (4 KiB, 2 MiB or 1 GiB), read/write/execute, write-back.  Call before
 * the first vmx_l2_run(): L1 does not INVEPT.
 */
void vmx_l2_map(struct vmx_l2 *l2, u64 l2_gpa, u64 l1_gpa, u64 size,
		u64 page_size);
/*
 * Runs L2 routine @entry with @regs (updated with what L2 left); returns
 * false, with a TAP diagnostic, when L1 failed or L2 exited for any reason
 * other than VMCALL (the exit reason, qualification and guest-physical
 * address or interruption information are printed).
 */
bool vmx_l2_run(struct vmx_l2 *l2, enum l2_entry entry,
		struct vmx_l2_regs *regs, struct vmx_exit *exit);
void vmx_l2_finish(struct vmx_l2 *l2);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested virtualization, whichever the vendor: an L1 hypervisor guest
 * (guest_code/l1_svm.c on AMD, guest_code/l1_vmx.c on Intel) runs the L2
 * routines of enum l2_entry (abi/nested_cmd.h) under nested paging (NPT,
 * EPT) that the host builds in L1's memory, one run per host command.
 *
 * L2 runs 32-bit code (L2_* of abi/nested_cmd.h).  By default paging is
 * off, so its linear addresses are L2 guest-physical and the nested page
 * table alone decides where they land in L1's memory; with
 * __nested_l2_init() L2 pages in a mode of its own (non-PAE with 4 MiB
 * pages, PAE, 4- or 5-level long mode in a compatibility-mode code
 * segment) through a fixed table: L2 linear address = L2 GPA ^ va_xor,
 * so every access of L2 is two walks, L2's then L1's, and what KVM
 * emulates for L2 goes through its nested MMU's walker of L2's mode.
 * The L1 runtime region is identity mapped so L2 can run code from L1's
 * image.  L2 hands control back with VMMCALL/VMCALL; no timer is needed
 * to get it back.
 *
 *   if (!nested_supported(&plat, why, sizeof(why)))
 *           tap_skip_all("%s", why);
 *   prog = nested_program(&plat);
 *   vm = vm_create_guest(PAGING_LM4, &prog, LAYOUT_RUNTIME_END);
 *   ... add the memslot L2's memory lives in ...
 *   nested_l2_init(&l2, &plat, vm_guest_vcpu_add(vm, 0));
 *   nested_l2_map(&l2, l2_gpa, l1_gpa, size, PAGE_SIZE_2M);
 *   nested_l2_run(&l2, L2_FILL, &regs, &exit);
 *   nested_l2_finish(&l2);
 *
 * A test that uses this links both L1 images (nested_images in
 * Makefile.am).  The vendors' halves are lib/nested_svm.c (VMCB, host
 * save area, permission maps) and lib/nested_vmx.c (VMXON region, VMCS
 * as the list of fields L1 VMWRITEs); they fill struct nested_ops.
 */
#ifndef KMT_NESTED_H
#define KMT_NESTED_H

#include "abi/nested_cmd.h"
#include "guest.h"
#include "kvm.h"
#include "nested_svm.h"
#include "nested_vmx.h"
#include "platform.h"

/* L2's registers in (rsi, rcx, rdx, rdi), and as L2 left them. */
struct nested_regs {
	u64 rsi, rcx, rdx, rdi;
};

/* How L2 exited, as L1 reported it. */
struct nested_exit {
	u64 code;	/* SVM exit code; VMX exit reason, or VMX_L1_FAIL | */
			/* VM-instruction error */
	u64 rax;	/* L2's RAX: the routine's result */
	u64 info1;	/* EXITINFO1; exit qualification */
	u64 info2;	/* EXITINFO2 (an NPF's L2 GPA); an EPT exit's */
			/* guest-physical address, else interruption info */
};

struct nested_ops;

struct nested_l2 {
	const struct nested_ops *ops;
	struct kvm_vcpu *vcpu;	/* the L1 vCPU */
	struct pgtable npt;	/* the nested page table (NPT, EPT): */
				/* L2 GPA -> L1 GPA */
	u64 map_flags;		/* its read/write/execute leaf flags */
	u64 page_sizes;		/* PAGE_SIZE_4K | _2M | _1G it may map */
	/*
	 * The nested page table has accessed/dirty flags (NPT always, EPT
	 * when L1 has them).  KVM then shadows a clean guest page
	 * read-only, so two aliases of one L1 page that L2 reads through
	 * one and writes through the other get different access; without
	 * them KVM shares one split child between the aliases.
	 */
	bool ad;
	/*
	 * L2's own paging: PAGING_NR_MODES when off; else its mode and its
	 * table (in L1 pool pages, which the nested page table maps 1:1 and
	 * nothing edits), which maps L2 linear addresses [0, 4 GiB) onto L2
	 * GPA = linear ^ va_xor with 4 MiB (non-PAE) or 2 MiB pages.
	 */
	enum paging_mode l2_mode;
	struct pgtable l2pt;
	u64 va_xor;
	union {
		struct svm_l2 svm;
		struct vmx_l2 vmx;
	};
};

/*
 * Whether KVM offers L1 nested virtualization with nested paging on
 * @plat's vendor (SVM with NPT; VMX with EPT and unrestricted guest);
 * @why: the SKIP reason.
 */
bool nested_supported(const struct kvm_platform *plat, char *why,
		      size_t size);
/* The L1 image for @plat's vendor (64-bit only: create PAGING_LM4 VMs). */
struct guest_program nested_program(const struct kvm_platform *plat);
/* "SVM with NPT", "VMX with EPT"; the nested page table's name, "NPT". */
const char *nested_name(const struct kvm_platform *plat);
const char *nested_npt_name(const struct kvm_platform *plat);

/*
 * Starts L1 on @l1_vcpu (a vCPU of a VM made with nested_program()) and
 * builds what L2 runs with; the nested page table maps the L1 runtime
 * region 1:1.  L2 pages in @l2_mode (PAGING_NR_MODES: paging off) with
 * linear addresses = GPA ^ @va_xor (a multiple of 4 MiB below 4 GiB).
 * Asserts when L1 cannot enable its vendor's extension or give L2 that
 * mode (paging_mode_supported() says beforehand: L1 has KVM's CPUID).
 */
void __nested_l2_init(struct nested_l2 *l2, const struct kvm_platform *plat,
		      struct kvm_vcpu *l1_vcpu, enum paging_mode l2_mode,
		      u64 va_xor);
/* The same, L2's paging off. */
void nested_l2_init(struct nested_l2 *l2, const struct kvm_platform *plat,
		    struct kvm_vcpu *l1_vcpu);
/*
 * PAE PDPTEs have no accessed flag: bits 8:5 are reserved (SDM 4.4.1;
 * the APM's legacy-mode PDPE), and KVM's load_pdptrs() takes a PDPTE
 * with one set for absent.  QEMU's TCG sets bit 5 anyway when it walks
 * an L2 in PAE under NPT, so every walk KVM makes of L2's table itself
 * (to emulate an MMIO access, a write to a write-protected page) ends in
 * a #PF that no processor would give.  Runs L2 once over nothing and
 * returns the bits the processor set in L2's PDPTEs (0 unless L2 is in
 * PAE).
 */
u64 nested_l2_pdpte_bits_set(struct nested_l2 *l2);
/*
 * L2's CR0, CR4 and EFER at VM entry: its paging mode's (pg_mode_regs()),
 * or 32-bit protected mode with paging off (PE, ET, NE).
 */
struct pg_regs nested_l2_regs(const struct nested_l2 *l2);
/* The L2 linear address of L2 GPA @gpa, and back (an involution). */
static inline u64 nested_l2_va(const struct nested_l2 *l2, u64 gpa)
{
	return gpa ^ l2->va_xor;
}
/*
 * Maps [l2_gpa, +size) onto [l1_gpa, +size) with @page_size (one of
 * l2->page_sizes), read/write/execute (write-back under EPT).  Call
 * before the first nested_l2_run(): L1 does not flush nested TLBs.
 */
void nested_l2_map(struct nested_l2 *l2, u64 l2_gpa, u64 l1_gpa, u64 size,
		   u64 page_size);
/*
 * Runs L2 routine @entry with @regs (updated with what L2 left); returns
 * false, with a TAP diagnostic, when L1 failed or L2 exited for any
 * reason other than VMMCALL/VMCALL (the exit and the faulting L2 GPA of
 * a nested page fault are printed); @exit holds the exit L1 reported.
 */
bool nested_l2_run(struct nested_l2 *l2, enum l2_entry entry,
		   struct nested_regs *regs, struct nested_exit *exit);
/*
 * The same, judging nothing: false (with a TAP diagnostic) only when L1
 * did not report an exit; a nested page fault is for the caller to read
 * with nested_exit_fault().
 */
bool nested_l2_enter(struct nested_l2 *l2, enum l2_entry entry,
		     struct nested_regs *regs, struct nested_exit *exit);
/*
 * Whether @exit is a nested page fault (NPF; EPT violation or
 * misconfiguration), and what the reference walker of the nested page
 * table's format says of one (lib/paging.h): @vector VEC_PF or
 * VEC_EPT_MISCONFIG, @error_code (NPF: EXITINFO1 bits 4:0, the #PF error
 * code bits; EPT violation: the qualification's bits 5:0), @gpa the L2
 * GPA.
 */
bool nested_exit_fault(const struct nested_l2 *l2,
		       const struct nested_exit *exit, u32 *vector,
		       u32 *error_code, u64 *gpa);
/*
 * L1 stores @count struct l1_edit at @list_gpa (L1 memory) itself; the
 * next L2 entry loads nested root @root (0: the same) and flushes L2's
 * translations (L1_CMD_EDIT, abi/nested_cmd.h).
 */
void nested_l1_edit(struct nested_l2 *l2, u64 list_gpa, u32 count, u64 root);
/* Tells L1 to return from its guest_main(). */
void nested_l2_finish(struct nested_l2 *l2);

/*
 * What a vendor's half provides (lib/nested_svm.c, lib/nested_vmx.c);
 * lib/nested.c alone calls it.
 */
struct nested_ops {
	const char *name;	/* "SVM with NPT" */
	const char *npt_name;	/* "NPT" */
	/* @cpuid: KVM_GET_SUPPORTED_CPUID; @kvm_fd: /dev/kvm. */
	bool (*supported)(const struct kvm_cpuid2 *cpuid, int kvm_fd,
			  char *why, size_t size);
	/*
	 * Before L1 starts: the vendor's state, map_flags, page_sizes and
	 * ad; l2->vcpu and the empty nested page table are set.
	 */
	void (*setup)(struct nested_l2 *l2);
	/* L1 said it is ready with UCALL_SYNC(0, @status); may be NULL. */
	void (*started)(struct nested_l2 *l2, u64 status);
	/* The vendor's args of a run of the routine at @rip. */
	void (*prepare)(struct nested_l2 *l2, u64 rip);
	/* Whether L2 handed control back; a TAP diagnostic if not. */
	bool (*exit_ok)(const struct nested_exit *exit);
	/* nested_exit_fault() */
	bool (*fault)(const struct nested_exit *exit, u32 *vector,
		      u32 *error_code, u64 *gpa);
};

extern const struct nested_ops nested_svm_ops, nested_vmx_ops;

#endif

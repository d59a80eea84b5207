/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested SVM, host side: the VMCB, host save area, I/O and MSR permission
 * maps and the nested page table (NPT) of an L2 guest, all built in L1's
 * memory, and the protocol to make L1 (guest_code/l1_svm.c) run L2.
 *
 * L2 runs in 32-bit protected mode with paging off, so its linear
 * addresses are L2 guest-physical and the NPT alone decides where they
 * land in L1's memory; the L1 runtime region is identity mapped so L2 can
 * run code from L1's image.
 *
 *   GUEST_PROGRAM_DECLARE(l1_svm);
 *   vm = vm_create_guest(PAGING_LM4, &GUEST_PROGRAM(l1_svm), mem);
 *   svm_l2_init(&l2, vm_guest_vcpu_add(vm, 0));
 *   svm_l2_map(&l2, l2_gpa, l1_gpa, size, PAGE_SIZE_2M);
 *   svm_l2_run(&l2, L2_FILL, &regs, &exit);
 */
#ifndef KMT_NESTED_SVM_H
#define KMT_NESTED_SVM_H

#include "abi/svm.h"
#include "kvm.h"

struct svm_l2 {
	struct kvm_vcpu *vcpu;	/* the L1 vCPU */
	u64 vmcb, hsave, iopm, msrpm;
	struct pgtable npt;	/* L2 GPA -> L1 GPA */
};

/* L2's registers in (rsi, rcx, rdx, rdi) and its exit out. */
struct svm_l2_regs {
	u64 rsi, rcx, rdx, rdi;
};

struct svm_exit {
	u64 code, rax, info1, info2;
};

/* Whether KVM offers L1 SVM with nested paging; @why: the SKIP reason. */
bool nested_svm_supported(char *why, size_t size);

void svm_l2_init(struct svm_l2 *l2, struct kvm_vcpu *l1_vcpu);
/* Maps [l2_gpa, +size) onto [l1_gpa, +size) in the NPT with @page_size. */
void svm_l2_map(struct svm_l2 *l2, u64 l2_gpa, u64 l1_gpa, u64 size,
		u64 page_size);
/*
 * Runs L2 routine @entry with @regs (updated with what L2 left); returns
 * false, with a TAP diagnostic, when L1 failed or L2 exited for any reason
 * other than VMMCALL (the exit code, EXITINFO1/2 are printed: an NPF
 * names the L2 GPA that did not translate).
 */
bool svm_l2_run(struct svm_l2 *l2, enum l2_entry entry,
		struct svm_l2_regs *regs, struct svm_exit *exit);
void svm_l2_finish(struct svm_l2 *l2);

#endif

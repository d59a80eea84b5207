// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <string.h>

#include "nested.h"
#include "tap.h"
#include "test_util.h"

static bool svm_supported(const struct kvm_cpuid2 *c, int kvm_fd, char *why,
			  size_t size)
{
	bool svm = false, npt = false;
	u32 i;

	(void)kvm_fd;
	for (i = 0; i < c->nent; i++) {
		if (c->entries[i].function == 0x80000001)
			svm = c->entries[i].ecx & (1U << 2);
		if (c->entries[i].function == 0x8000000a)
			npt = c->entries[i].edx & (1U << 0);
	}
	if (!svm)
		snprintf(why, size, "KVM offers no nested SVM (kvm_amd nested=0, or not AMD)");
	else if (!npt)
		snprintf(why, size, "KVM offers nested SVM without nested paging (npt=0 in L0)");
	return svm && npt;
}

static void vmcb_w64(struct kvm_vm *vm, u64 vmcb, u32 off, u64 v)
{
	*(u64 *)gpa_to_hva(vm, vmcb + off) = v;
}

static void vmcb_w32(struct kvm_vm *vm, u64 vmcb, u32 off, u32 v)
{
	*(u32 *)gpa_to_hva(vm, vmcb + off) = v;
}

/* A VMCB segment: selector, attributes (type/S/DPL/P/AVL/L/DB/G), limit, base. */
static void vmcb_seg(struct kvm_vm *vm, u64 vmcb, u32 off, u16 sel,
		     u16 attrib)
{
	u8 *p = gpa_to_hva(vm, vmcb + off);

	*(u16 *)p = sel;
	*(u16 *)(p + 2) = attrib;
	*(u32 *)(p + 4) = 0xffffffff;
	*(u64 *)(p + 8) = 0;
}

static u64 alloc_pages(struct kvm_vm *vm, int n)
{
	u64 first = vm_alloc_table_page(vm);
	int i;

	/* The pool hands out consecutive pages. */
	for (i = 1; i < n; i++)
		TEST_ASSERT(vm_alloc_table_page(vm) == first + i * PAGE_SIZE_4K,
			    "pool pages not contiguous");
	return first;
}

static void build_vmcb(struct nested_l2 *l2, struct kvm_vm *vm)
{
	u64 v = l2->svm.vmcb;
	struct pg_regs r = nested_l2_regs(l2);

	vmcb_w32(vm, v, VMCB_INTERCEPT_EXCEPTIONS,
		 1U << 6 | 1U << 8 | 1U << 13 | 1U << 14);	/* UD DF GP PF */
	vmcb_w32(vm, v, VMCB_INTERCEPT_MISC1,
		 INTERCEPT_MISC1_HLT | INTERCEPT_MISC1_SHUTDOWN);
	vmcb_w32(vm, v, VMCB_INTERCEPT_MISC2,
		 INTERCEPT_MISC2_VMRUN | INTERCEPT_MISC2_VMMCALL);
	vmcb_w64(vm, v, VMCB_IOPM_BASE, l2->svm.iopm);
	vmcb_w64(vm, v, VMCB_MSRPM_BASE, l2->svm.msrpm);
	vmcb_w32(vm, v, VMCB_ASID, 1);
	vmcb_w64(vm, v, VMCB_NP_ENABLE, 1);
	vmcb_w64(vm, v, VMCB_N_CR3, l2->npt.root);
	/*
	 * Flat 32-bit code and data (CS.L=0: compatibility mode when L2 is
	 * in long mode), paging off or in L2's mode.
	 */
	vmcb_seg(vm, v, VMCB_CS, 0x08, 0xc9b);
	vmcb_seg(vm, v, VMCB_DS, 0x10, 0xc93);
	vmcb_seg(vm, v, VMCB_ES, 0x10, 0xc93);
	vmcb_seg(vm, v, VMCB_SS, 0x10, 0xc93);
	vmcb_w64(vm, v, VMCB_EFER, EFER_SVME | r.efer);
	vmcb_w64(vm, v, VMCB_CR0, r.cr0);
	if (l2->l2_mode < PAGING_NR_MODES) {
		vmcb_w64(vm, v, VMCB_CR3, l2->l2pt.root);
		vmcb_w64(vm, v, VMCB_CR4, r.cr4);
	}
	vmcb_w64(vm, v, VMCB_DR7, 0x400);
	vmcb_w64(vm, v, VMCB_DR6, 0xffff0ff0);
	vmcb_w64(vm, v, VMCB_RFLAGS, 0x2);
	vmcb_w64(vm, v, VMCB_G_PAT, 0x0007040600070406ULL);
}

/* The NPT: walks are user accesses, every entry needs U (P|W|U). */
static void svm_setup(struct nested_l2 *l2)
{
	struct kvm_vm *vm = l2->vcpu->vm;
	struct svm_l2 *svm = &l2->svm;

	svm->vmcb = vm_alloc_table_page(vm);
	svm->hsave = vm_alloc_table_page(vm);
	svm->iopm = alloc_pages(vm, 3);
	svm->msrpm = alloc_pages(vm, 2);
	l2->map_flags = PTE_W | PTE_U;
	l2->page_sizes = PAGE_SIZE_4K | PAGE_SIZE_2M |
			 (l2->npt.gbpages ? PAGE_SIZE_1G : 0);
	l2->ad = true;
	build_vmcb(l2, vm);
}

static void svm_prepare(struct nested_l2 *l2, u64 rip)
{
	u64 *a = vcpu_percpu(l2->vcpu)->args;

	a[SVM_ARG_VMCB] = l2->svm.vmcb;
	a[SVM_ARG_HSAVE] = l2->svm.hsave;
	a[SVM_ARG_RIP] = rip;
}

static bool svm_exit_ok(const struct nested_exit *x)
{
	if (x->code == SVM_EXIT_VMMCALL)
		return true;
	tap_diag("L2 exit 0x%" PRIx64 " (VMMCALL is 0x%x, NPF 0x%x), EXITINFO1 0x%" PRIx64 ", EXITINFO2 0x%" PRIx64,
		 x->code, SVM_EXIT_VMMCALL, SVM_EXIT_NPF, x->info1, x->info2);
	return false;
}

/* EXITINFO1 bits 4:0 are the #PF error code bits (APM 15.25.6). */
static bool svm_fault(const struct nested_exit *x, u32 *vector,
		      u32 *error_code, u64 *gpa)
{
	if (x->code != SVM_EXIT_NPF)
		return false;
	*vector = VEC_PF;
	*error_code = (u32)(x->info1 & 0x1f);
	*gpa = x->info2;
	return true;
}

const struct nested_ops nested_svm_ops = {
	.name = "SVM with NPT",
	.npt_name = "NPT",
	.supported = svm_supported,
	.setup = svm_setup,
	.prepare = svm_prepare,
	.exit_ok = svm_exit_ok,
	.fault = svm_fault,
};

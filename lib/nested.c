// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nested.h"
#include "tap.h"
#include "test_util.h"
#include "ucall.h"

GUEST_PROGRAM64_DECLARE(l1_svm);
GUEST_PROGRAM64_DECLARE(l1_vmx);

static const struct nested_ops *vendor_ops(const struct kvm_platform *plat)
{
	switch (plat->vendor) {
	case KVM_VENDOR_AMD:
		return &nested_svm_ops;
	case KVM_VENDOR_INTEL:
		return &nested_vmx_ops;
	default:
		return NULL;
	}
}

bool nested_supported(const struct kvm_platform *plat, char *why,
		      size_t size)
{
	const struct nested_ops *ops = vendor_ops(plat);
	struct kvm_cpuid2 *c;
	bool ok;
	int fd;

	if (!ops) {
		snprintf(why, size, "nested virtualization needs kvm_intel or kvm_amd");
		return false;
	}
	fd = kvm_open();
	c = kvm_get_supported_cpuid(fd);
	ok = ops->supported(c, fd, why, size);
	free(c);
	close(fd);
	return ok;
}

struct guest_program nested_program(const struct kvm_platform *plat)
{
	return plat->vendor == KVM_VENDOR_INTEL ? GUEST_PROGRAM64(l1_vmx) :
						  GUEST_PROGRAM64(l1_svm);
}

const char *nested_name(const struct kvm_platform *plat)
{
	const struct nested_ops *ops = vendor_ops(plat);

	return ops ? ops->name : "no nested virtualization";
}

const char *nested_npt_name(const struct kvm_platform *plat)
{
	const struct nested_ops *ops = vendor_ops(plat);

	return ops ? ops->npt_name : "no nested paging";
}

/*
 * L2's table: [0, 4 GiB) of L2 linear addresses with the largest pages
 * every processor has in its mode (no 1 GiB: that is L1's CPUID's).
 */
static void build_l2_table(struct nested_l2 *l2, const struct pg_phys *phys)
{
	u64 size = l2->l2_mode == PAGING_NONPAE ? 4ULL << 20 : 2ULL << 20;
	u64 va;

	TEST_ASSERT(!(l2->va_xor & ((4ULL << 20) - 1)) &&
		    l2->va_xor < (1ULL << 32),
		    "L2 linear = GPA ^ 0x%" PRIx64 ": not a multiple of 4 MiB below 4 GiB",
		    l2->va_xor);
	pg_init(&l2->l2pt, l2->l2_mode, phys);
	for (va = 0; va < (1ULL << 32); va += size)
		pg_map(&l2->l2pt, va, nested_l2_va(l2, va), size, PTE_W);
}

void __nested_l2_init(struct nested_l2 *l2, const struct kvm_platform *plat,
		      struct kvm_vcpu *l1_vcpu, enum paging_mode l2_mode,
		      u64 va_xor)
{
	struct pg_phys phys = vm_pg_phys(l1_vcpu->vm);
	struct ucall uc;

	memset(l2, 0, sizeof(*l2));
	l2->ops = vendor_ops(plat);
	TEST_ASSERT(l2->ops, "no nested virtualization on this vendor");
	l2->vcpu = l1_vcpu;
	l2->l2_mode = l2_mode;
	if (l2_mode < PAGING_NR_MODES) {
		l2->va_xor = va_xor;
		build_l2_table(l2, &phys);
	}
	pg_init(&l2->npt, PAGING_LM4, &phys);
	/*
	 * The nested walk checks reserved bits against L1's MAXPHYADDR, NX
	 * against L1's EFER.NXE, 1 GiB pages against L1's CPUID (SVM; VMX:
	 * the EPT capabilities, in its setup).
	 */
	l2->npt.maxphyaddr = l1_vcpu->vm->pt.maxphyaddr;
	l2->npt.nxe = l1_vcpu->vm->pt.nxe;
	l2->npt.gbpages = l1_vcpu->vm->pt.gbpages;
	l2->ops->setup(l2);
	nested_l2_map(l2, PAGE_SIZE_4K, PAGE_SIZE_4K,
		      LAYOUT_RUNTIME_END - PAGE_SIZE_4K, PAGE_SIZE_4K);
	TEST_ASSERT(vcpu_run_to_ucall(l1_vcpu, &uc) == UCALL_SYNC,
		    "L1 did not start");
	if (l2->ops->started)
		l2->ops->started(l2, uc.args[1]);
}

u64 nested_l2_pdpte_bits_set(struct nested_l2 *l2)
{
	struct nested_regs regs = { 0 };
	struct nested_exit x;
	u64 before[4], set = 0;
	int i;

	if (l2->l2_mode != PAGING_PAE)
		return 0;
	for (i = 0; i < 4; i++)
		before[i] = pg_read_entry(&l2->l2pt, l2->l2pt.root + 8 * i);
	TEST_ASSERT(nested_l2_run(l2, L2_ACCESS_LIST, &regs, &x),
		    "L2 in PAE did not run an empty access list");
	for (i = 0; i < 4; i++)
		set |= pg_read_entry(&l2->l2pt, l2->l2pt.root + 8 * i) &
		       ~before[i];
	return set;
}

struct pg_regs nested_l2_regs(const struct nested_l2 *l2)
{
	if (l2->l2_mode < PAGING_NR_MODES)
		return pg_mode_regs(l2->l2_mode);
	return (struct pg_regs){ .cr0 = CR0_PE | CR0_ET | CR0_NE };
}

void nested_l2_init(struct nested_l2 *l2, const struct kvm_platform *plat,
		    struct kvm_vcpu *l1_vcpu)
{
	__nested_l2_init(l2, plat, l1_vcpu, PAGING_NR_MODES, 0);
}

void nested_l2_map(struct nested_l2 *l2, u64 l2_gpa, u64 l1_gpa, u64 size,
		   u64 page_size)
{
	u64 off;

	TEST_ASSERT(l2->page_sizes & page_size,
		    "%s offers no %" PRIu64 " KiB pages", l2->ops->npt_name,
		    page_size >> 10);
	for (off = 0; off < size; off += page_size)
		pg_map(&l2->npt, l2_gpa + off, l1_gpa + off, page_size,
		       l2->map_flags);
}

bool nested_l2_run(struct nested_l2 *l2, enum l2_entry entry,
		   struct nested_regs *regs, struct nested_exit *exit)
{
	return nested_l2_enter(l2, entry, regs, exit) &&
	       l2->ops->exit_ok(exit);
}

bool nested_l2_enter(struct nested_l2 *l2, enum l2_entry entry,
		     struct nested_regs *regs, struct nested_exit *exit)
{
	u64 *a = vcpu_percpu(l2->vcpu)->args;
	struct ucall uc;
	char msg[4096];

	l2->ops->prepare(l2, nested_l2_va(l2, vm_guest_export(l2->vcpu->vm,
							       entry)));
	a[L1_ARG_CMD] = L1_CMD_RUN;
	a[L1_ARG_RSI] = regs->rsi;
	a[L1_ARG_RCX] = regs->rcx;
	a[L1_ARG_RDX] = regs->rdx;
	a[L1_ARG_RDI] = regs->rdi;
	if (vcpu_run_to_ucall(l2->vcpu, &uc) != UCALL_SYNC) {
		ucall_format(l2->vcpu, &uc, msg, sizeof(msg));
		tap_diag("L1: %s", msg);
		return false;
	}
	*exit = (struct nested_exit){ uc.args[0], uc.args[1], uc.args[2],
				      uc.args[3] };
	*regs = (struct nested_regs){ a[L1_ARG_RSI], a[L1_ARG_RCX],
				      a[L1_ARG_RDX], a[L1_ARG_RDI] };
	return true;
}

bool nested_exit_fault(const struct nested_l2 *l2,
		       const struct nested_exit *exit, u32 *vector,
		       u32 *error_code, u64 *gpa)
{
	return l2->ops->fault(exit, vector, error_code, gpa);
}

void nested_l1_edit(struct nested_l2 *l2, u64 list_gpa, u32 count, u64 root)
{
	u64 *a = vcpu_percpu(l2->vcpu)->args;
	struct ucall uc;
	char msg[4096];

	a[L1_ARG_CMD] = L1_CMD_EDIT;
	a[L1_ARG_RSI] = list_gpa;
	a[L1_ARG_RCX] = count;
	a[L1_ARG_RDX] = root;
	if (vcpu_run_to_ucall(l2->vcpu, &uc) != UCALL_SYNC) {
		ucall_format(l2->vcpu, &uc, msg, sizeof(msg));
		TEST_ASSERT(false, "L1 did not finish its nested page table edits: %s",
			    msg);
	}
}

void nested_l2_finish(struct nested_l2 *l2)
{
	struct ucall uc;

	vcpu_percpu(l2->vcpu)->args[L1_ARG_CMD] = L1_CMD_EXIT;
	TEST_ASSERT(vcpu_run_to_ucall(l2->vcpu, &uc) == UCALL_DONE,
		    "L1 did not finish");
}

// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mode.h"
#include "nested_svm.h"
#include "tap.h"
#include "test_util.h"
#include "ucall.h"

bool nested_svm_supported(char *why, size_t size)
{
	struct kvm_cpuid2 *c;
	bool svm = false, npt = false;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	u32 i, n = 256;

	c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	TEST_ASSERT(c && fd >= 0, "cannot open /dev/kvm");
	c->nent = n;
	TEST_ASSERT(!ioctl(fd, KVM_GET_SUPPORTED_CPUID, c),
		    "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	for (i = 0; i < c->nent; i++) {
		if (c->entries[i].function == 0x80000001)
			svm = c->entries[i].ecx & (1U << 2);
		if (c->entries[i].function == 0x8000000a)
			npt = c->entries[i].edx & (1U << 0);
	}
	close(fd);
	free(c);
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

static void build_vmcb(struct svm_l2 *l2, struct kvm_vm *vm)
{
	u64 v = l2->vmcb;

	vmcb_w32(vm, v, VMCB_INTERCEPT_EXCEPTIONS,
		 1U << 6 | 1U << 8 | 1U << 13 | 1U << 14);	/* UD DF GP PF */
	vmcb_w32(vm, v, VMCB_INTERCEPT_MISC1,
		 INTERCEPT_MISC1_HLT | INTERCEPT_MISC1_SHUTDOWN);
	vmcb_w32(vm, v, VMCB_INTERCEPT_MISC2,
		 INTERCEPT_MISC2_VMRUN | INTERCEPT_MISC2_VMMCALL);
	vmcb_w64(vm, v, VMCB_IOPM_BASE, l2->iopm);
	vmcb_w64(vm, v, VMCB_MSRPM_BASE, l2->msrpm);
	vmcb_w32(vm, v, VMCB_ASID, 1);
	vmcb_w64(vm, v, VMCB_NP_ENABLE, 1);
	vmcb_w64(vm, v, VMCB_N_CR3, l2->npt.root);
	/* Flat 32-bit code and data, paging off. */
	vmcb_seg(vm, v, VMCB_CS, 0x08, 0xc9b);
	vmcb_seg(vm, v, VMCB_DS, 0x10, 0xc93);
	vmcb_seg(vm, v, VMCB_ES, 0x10, 0xc93);
	vmcb_seg(vm, v, VMCB_SS, 0x10, 0xc93);
	vmcb_w64(vm, v, VMCB_EFER, EFER_SVME);
	vmcb_w64(vm, v, VMCB_CR0, 0x31);		/* PE, ET, NE */
	vmcb_w64(vm, v, VMCB_DR7, 0x400);
	vmcb_w64(vm, v, VMCB_DR6, 0xffff0ff0);
	vmcb_w64(vm, v, VMCB_RFLAGS, 0x2);
	vmcb_w64(vm, v, VMCB_G_PAT, 0x0007040600070406ULL);
}

void svm_l2_init(struct svm_l2 *l2, struct kvm_vcpu *l1_vcpu)
{
	struct kvm_vm *vm = l1_vcpu->vm;
	struct pg_phys phys = vm_pg_phys(vm);
	struct ucall uc;

	memset(l2, 0, sizeof(*l2));
	l2->vcpu = l1_vcpu;
	l2->vmcb = vm_alloc_table_page(vm);
	l2->hsave = vm_alloc_table_page(vm);
	l2->iopm = alloc_pages(vm, 3);
	l2->msrpm = alloc_pages(vm, 2);
	/* NPT walks are user accesses: every entry needs U (pg_map's P|W|U). */
	pg_init(&l2->npt, PAGING_LM4, &phys);
	svm_l2_map(l2, PAGE_SIZE_4K, PAGE_SIZE_4K,
		   LAYOUT_RUNTIME_END - PAGE_SIZE_4K, PAGE_SIZE_4K);
	build_vmcb(l2, vm);
	TEST_ASSERT(vcpu_run_to_ucall(l1_vcpu, &uc) == UCALL_SYNC,
		    "L1 did not start");
}

void svm_l2_map(struct svm_l2 *l2, u64 l2_gpa, u64 l1_gpa, u64 size,
		u64 page_size)
{
	u64 off;

	for (off = 0; off < size; off += page_size)
		pg_map(&l2->npt, l2_gpa + off, l1_gpa + off, page_size,
		       PTE_W | PTE_U);
}

static bool l1_command(struct svm_l2 *l2, struct ucall *uc)
{
	char msg[4096];
	u32 cmd = vcpu_run_to_ucall(l2->vcpu, uc);

	if (cmd == UCALL_SYNC)
		return true;
	ucall_format(l2->vcpu, uc, msg, sizeof(msg));
	tap_diag("L1: %s", msg);
	return false;
}

bool svm_l2_run(struct svm_l2 *l2, enum l2_entry entry,
		struct svm_l2_regs *regs, struct svm_exit *exit)
{
	struct kvm_vm *vm = l2->vcpu->vm;
	u64 *a = vcpu_percpu(l2->vcpu)->args;
	struct ucall uc;

	a[L1_ARG_CMD] = L1_CMD_RUN;
	a[L1_ARG_VMCB] = l2->vmcb;
	a[L1_ARG_HSAVE] = l2->hsave;
	a[L1_ARG_RIP] = vm_guest_export(vm, entry);
	a[L1_ARG_RSI] = regs->rsi;
	a[L1_ARG_RCX] = regs->rcx;
	a[L1_ARG_RDX] = regs->rdx;
	a[L1_ARG_RDI] = regs->rdi;
	if (!l1_command(l2, &uc))
		return false;
	*exit = (struct svm_exit){ uc.args[0], uc.args[1], uc.args[2],
				   uc.args[3] };
	*regs = (struct svm_l2_regs){ a[L1_ARG_RSI], a[L1_ARG_RCX],
				      a[L1_ARG_RDX], a[L1_ARG_RDI] };
	if (exit->code == SVM_EXIT_VMMCALL)
		return true;
	tap_diag("L2 exit 0x%" PRIx64 " (VMMCALL is 0x%x, NPF 0x%x), EXITINFO1 0x%" PRIx64 ", EXITINFO2 0x%" PRIx64,
		 exit->code, SVM_EXIT_VMMCALL, SVM_EXIT_NPF, exit->info1,
		 exit->info2);
	return false;
}

void svm_l2_finish(struct svm_l2 *l2)
{
	struct ucall uc;

	vcpu_percpu(l2->vcpu)->args[L1_ARG_CMD] = L1_CMD_EXIT;
	TEST_ASSERT(vcpu_run_to_ucall(l2->vcpu, &uc) == UCALL_DONE,
		    "L1 did not finish");
}

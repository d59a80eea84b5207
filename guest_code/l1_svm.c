// SPDX-License-Identifier: GPL-2.0-only
/*
 * L1 hypervisor for nested SVM tests: enables SVM, then on each host
 * command runs L2 with the VMCB the host built (lib/nested_svm.h) until L2
 * exits, and reports the exit code and L2's result registers.  The host
 * owns every decision; L1 only executes VMRUN.
 */
#include "runtime/guest.h"

#include "../lib/abi/svm.h"

struct l2_regs {
	u64 rsi, rcx, rdx, rdi;
};

void svm_run_l2(u64 vmcb_pa, struct l2_regs *regs);
void l2_fill(void), l2_verify(void), l2_write_list(void);

/* L2 entry points, in the order of enum l2_entry (lib/abi/svm.h). */
const u64 guest_exports[] = {
	(u64)(unsigned long)l2_fill,
	(u64)(unsigned long)l2_verify,
	(u64)(unsigned long)l2_write_list,
};

static u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static u64 vmcb_read(u64 vmcb, u32 off)
{
	return *(volatile u64 *)(unsigned long)(vmcb + off);
}

static void vmcb_write(u64 vmcb, u32 off, u64 v)
{
	*(volatile u64 *)(unsigned long)(vmcb + off) = v;
}

/*
 * UCALL_SYNC(0, 0) says "ready"; after each L2 run, UCALL_SYNC(exit code,
 * L2 RAX, EXITINFO1, EXITINFO2) reports it and waits for the next command.
 */
void guest_main(struct guest_percpu *pc)
{
	u64 *a = pc->args;

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	GUEST_SYNC(0, 0);
	while (a[L1_ARG_CMD] == L1_CMD_RUN) {
		struct l2_regs r = { a[L1_ARG_RSI], a[L1_ARG_RCX],
				     a[L1_ARG_RDX], a[L1_ARG_RDI] };
		u64 vmcb = a[L1_ARG_VMCB];

		wrmsr(MSR_VM_HSAVE_PA, a[L1_ARG_HSAVE]);
		vmcb_write(vmcb, VMCB_RIP, a[L1_ARG_RIP]);
		svm_run_l2(vmcb, &r);
		a[L1_ARG_RSI] = r.rsi;
		a[L1_ARG_RCX] = r.rcx;
		a[L1_ARG_RDX] = r.rdx;
		a[L1_ARG_RDI] = r.rdi;
		guest_ucall(UCALL_SYNC, vmcb_read(vmcb, VMCB_EXIT_CODE),
			    vmcb_read(vmcb, VMCB_RAX),
			    vmcb_read(vmcb, VMCB_EXIT_INFO1),
			    vmcb_read(vmcb, VMCB_EXIT_INFO2));
	}
}

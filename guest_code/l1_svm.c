// SPDX-License-Identifier: GPL-2.0-only
/*
 * L1 hypervisor for nested SVM tests: enables SVM, then on each host
 * command runs L2 with the VMCB the host built (lib/nested_svm.h) until L2
 * exits, and reports the exit code and L2's result registers.  The host
 * owns every decision; L1 only executes VMRUN.
 */
#include "l1.h"

#include "abi/svm.h"

void svm_run_l2(struct l2_regs *regs, u64 vmcb_pa);

static u64 vmcb_read(u64 vmcb, u32 off)
{
	return *(volatile u64 *)(unsigned long)(vmcb + off);
}

static void vmcb_write(u64 vmcb, u32 off, u64 v)
{
	*(volatile u64 *)(unsigned long)(vmcb + off) = v;
}

static void vmcb_write8(u64 vmcb, u32 off, u8 v)
{
	*(volatile u8 *)(unsigned long)(vmcb + off) = v;
}

/*
 * UCALL_SYNC(0, 0) says "ready"; after each L2 run, UCALL_SYNC(exit code,
 * L2 RAX, EXITINFO1, EXITINFO2) reports it and waits for the next command.
 * After an L1_CMD_EDIT the next VMRUN loads the new nCR3 and flushes
 * L2's translations (TLB_CONTROL: flush every ASID).
 */
void guest_main(struct guest_percpu *pc)
{
	struct l1_pending pend = { 0, 0 };
	u64 *a = pc->args;

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	GUEST_SYNC(0, 0);
	for (;;) {
		struct l2_regs r = l2_regs_from_host(a);
		u64 vmcb = a[SVM_ARG_VMCB];

		if (a[L1_ARG_CMD] == L1_CMD_EDIT) {
			l1_edit(a, &pend);
			continue;
		}
		if (a[L1_ARG_CMD] != L1_CMD_RUN)
			break;
		wrmsr(MSR_VM_HSAVE_PA, a[SVM_ARG_HSAVE]);
		vmcb_write(vmcb, VMCB_RIP, a[SVM_ARG_RIP]);
		if (pend.root)
			vmcb_write(vmcb, VMCB_N_CR3, pend.root);
		if (pend.flush)
			vmcb_write8(vmcb, VMCB_TLB_CONTROL, TLB_CONTROL_FLUSH_ALL);
		pend = (struct l1_pending){ 0, 0 };
		svm_run_l2(&r, vmcb);
		vmcb_write8(vmcb, VMCB_TLB_CONTROL, 0);
		l2_regs_to_host(a, &r);
		guest_ucall(UCALL_SYNC, vmcb_read(vmcb, VMCB_EXIT_CODE),
			    vmcb_read(vmcb, VMCB_RAX),
			    vmcb_read(vmcb, VMCB_EXIT_INFO1),
			    vmcb_read(vmcb, VMCB_EXIT_INFO2));
	}
}

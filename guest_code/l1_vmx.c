// SPDX-License-Identifier: GPL-2.0-only
/*
 * L1 hypervisor for nested VMX tests: enables VMX and makes the host's
 * VMCS current, then on each host command VMWRITEs the host's field list
 * (lib/nested_vmx.h) and runs L2 until it exits, reporting the exit
 * reason, qualification and L2's result registers.  The host owns every
 * decision; L1 only executes the VMX instructions (protocol in
 * abi/vmx.h).
 */
#include "l1.h"

#include "abi/vmx.h"

/* 0: L2 ran and exited; 1: VMLAUNCH/VMRESUME failed. */
int vmx_run_l2(struct l2_regs *regs, int launched);

/*
 * The VMX instructions report failure in CF (VMfailInvalid) or ZF
 * (VMfailValid): "setna" catches both.  Each returns true on success.
 */
static bool vmxon(u64 pa)
{
	u8 fail;

	asm volatile("vmxon %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static bool vmclear(u64 pa)
{
	u8 fail;

	asm volatile("vmclear %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static bool vmptrld(u64 pa)
{
	u8 fail;

	asm volatile("vmptrld %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static bool vmwrite(u64 field, u64 value)
{
	u8 fail;

	asm volatile("vmwrite %2, %1; setna %0"
		     : "=q"(fail) : "r"(field), "rm"(value) : "cc");
	return !fail;
}

static u64 vmread(u64 field)
{
	u64 v = 0;

	asm volatile("vmread %1, %0" : "+rm"(v) : "r"(field) : "cc");
	return v;
}

static u64 read_cr4(void)
{
	u64 v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void write_cr4(u64 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* The VM-instruction error, tagged as an L1 failure (abi/vmx.h). */
static u64 vmx_fail(void)
{
	return VMX_L1_FAIL | vmread(VMCS_VM_INSTRUCTION_ERROR);
}

/* VMXON and a current VMCS; 0, or VMX_L1_FAIL | step (1-4). */
static u64 vmx_enable(const u64 *a)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCKED))
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCKED |
			  FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
	else if (!(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX))
		return VMX_L1_FAIL | 1;
	write_cr4(read_cr4() | CR4_VMXE);
	if (!vmxon(a[VMX_ARG_VMXON]))
		return VMX_L1_FAIL | 2;
	if (!vmclear(a[VMX_ARG_VMCS]))
		return VMX_L1_FAIL | 3;
	if (!vmptrld(a[VMX_ARG_VMCS]))
		return VMX_L1_FAIL | 4;
	return 0;
}

/* INVEPT of @type (1 single-context, 2 global); true on success. */
static bool invept(u64 type, u64 eptp)
{
	struct { u64 eptp, zero; } desc = { eptp, 0 };
	u8 fail;

	asm volatile("invept %1, %2; setna %0"
		     : "=q"(fail) : "m"(desc), "r"(type) : "cc", "memory");
	return !fail;
}

/*
 * Runs L2 once; the exit reason, or VMX_L1_FAIL | VM-instruction error.
 * After an L1_CMD_EDIT: the new EPTP (its low bits kept), then INVEPT
 * of that context, before the entry.
 */
static u64 run(u64 *a, struct l2_regs *r, int *launched,
	       struct l1_pending *pend)
{
	const struct vmx_fields *fl =
		(const struct vmx_fields *)(unsigned long)a[VMX_ARG_FIELDS];
	u64 i, eptp;

	for (i = 0; i < fl->count; i++)
		if (!vmwrite(fl->f[i].encoding, fl->f[i].value))
			return vmx_fail();
	eptp = vmread(VMCS_EPT_POINTER);
	if (pend->root) {
		eptp = (eptp & 0xfff) | pend->root;
		if (!vmwrite(VMCS_EPT_POINTER, eptp))
			return vmx_fail();
	}
	if (pend->flush && !invept(1, eptp))
		return vmx_fail();
	*pend = (struct l1_pending){ 0, 0 };
	if (vmx_run_l2(r, *launched))
		return vmx_fail();
	*launched = 1;
	return vmread(VMCS_EXIT_REASON);
}

/*
 * UCALL_SYNC(0, status) says "ready" (status 0, or which step of enabling
 * VMX failed); after each L2 run UCALL_SYNC(exit reason, L2 RAX, exit
 * qualification, guest-physical address or exit interruption information)
 * reports it and waits for the next command.
 */
void guest_main(struct guest_percpu *pc)
{
	struct l1_pending pend = { 0, 0 };
	u64 *a = pc->args;
	int launched = 0;

	GUEST_SYNC(0, vmx_enable(a));
	for (;;) {
		struct l2_regs r = l2_regs_from_host(a);
		u64 reason, extra = 0;

		if (a[L1_ARG_CMD] == L1_CMD_EDIT) {
			l1_edit(a, &pend);
			continue;
		}
		if (a[L1_ARG_CMD] != L1_CMD_RUN)
			break;
		reason = run(a, &r, &launched, &pend);

		if (!(reason & VMX_L1_FAIL)) {
			u16 basic = (u16)reason;

			extra = basic == VMX_EXIT_EPT_VIOLATION ||
				basic == VMX_EXIT_EPT_MISCONFIG ?
				vmread(VMCS_GUEST_PHYSICAL_ADDRESS) :
				vmread(VMCS_EXIT_INTR_INFO);
		}
		l2_regs_to_host(a, &r);
		guest_ucall(UCALL_SYNC, reason, r.rax,
			    reason & VMX_L1_FAIL ? 0 :
			    vmread(VMCS_EXIT_QUALIFICATION), extra);
	}
}

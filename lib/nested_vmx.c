// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>

#include "nested.h"
#include "tap.h"
#include "test_util.h"

/* One MSR through KVM_GET_MSRS on @fd (/dev/kvm: a feature MSR). */
static bool get_msr(int fd, u32 index, u64 *value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index };

	if (ioctl(fd, KVM_GET_MSRS, &m) != 1)
		return false;
	*value = m.e.data;
	return true;
}

static u64 vcpu_msr(struct kvm_vcpu *vcpu, u32 index)
{
	u64 v = 0;

	TEST_ASSERT(get_msr(vcpu->fd, index, &v),
		    "KVM_GET_MSRS: L1 cannot read MSR 0x%x", index);
	return v;
}

static bool vmx_supported(const struct kvm_cpuid2 *c, int kvm_fd, char *why,
			  size_t size)
{
	u32 i, need = PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST;
	bool vmx = false;
	u64 ctls2 = 0;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			vmx = c->entries[i].ecx & (1U << 5);
	if (!vmx) {
		snprintf(why, size, "KVM offers no nested VMX (kvm_intel nested=0, or not Intel)");
	} else if (!get_msr(kvm_fd, MSR_IA32_VMX_PROCBASED_CTLS2, &ctls2)) {
		snprintf(why, size, "KVM does not report IA32_VMX_PROCBASED_CTLS2");
		vmx = false;
	} else if (((ctls2 >> 32) & need) != need) {
		snprintf(why, size, "KVM offers nested VMX without EPT and unrestricted guest (ept=0 in L0?)");
		vmx = false;
	}
	return vmx;
}

/*
 * A control value with the bits @want, from its capability MSR: the low
 * half holds the bits that must be 1, the high half those that may be.
 */
static u32 control(struct kvm_vcpu *vcpu, u32 cap_msr, u32 want,
		   const char *name)
{
	u64 cap = vcpu_msr(vcpu, cap_msr);
	u32 must = (u32)cap, may = (u32)(cap >> 32);

	TEST_ASSERT(!(want & ~may),
		    "nested VMX: %s control bits 0x%x not allowed (allowed 0x%x)",
		    name, want & ~may, may);
	return (want | must) & may;
}

static void put(struct vmx_fields *fl, u64 encoding, u64 value)
{
	TEST_ASSERT(fl->count < VMX_MAX_FIELDS, "VMCS field list full");
	fl->f[fl->count++] = (struct vmx_field){ encoding, value };
}

static void put_guest_seg(struct vmx_fields *fl, u32 n, u16 sel, u32 ar,
			  u32 limit)
{
	/* Selector, limit, access rights and base fields of segment @n. */
	put(fl, VMCS_GUEST_ES_SEL + 2 * n, sel);
	put(fl, VMCS_GUEST_ES_LIMIT + 2 * n, limit);
	put(fl, VMCS_GUEST_ES_AR + 2 * n, ar);
	put(fl, VMCS_GUEST_ES_BASE + 2 * n, 0);
}

/*
 * L2: flat 32-bit protected mode (CS.L=0: compatibility mode when L2 is
 * in long mode), paging off or in L2's mode, every exception exits.
 */
static void guest_state(struct nested_l2 *l2, struct vmx_fields *fl)
{
	struct kvm_vcpu *v = l2->vcpu;
	u64 cr0_fixed0 = vcpu_msr(v, MSR_IA32_VMX_CR0_FIXED0);
	u64 cr0_fixed1 = vcpu_msr(v, MSR_IA32_VMX_CR0_FIXED1);
	u64 cr4_fixed0 = vcpu_msr(v, MSR_IA32_VMX_CR4_FIXED0);
	u64 cr4_fixed1 = vcpu_msr(v, MSR_IA32_VMX_CR4_FIXED1);
	bool paging = l2->l2_mode < PAGING_NR_MODES;
	struct pg_regs r = nested_l2_regs(l2);
	/* Unrestricted guest lifts the fixed PG (and PE) bits. */
	u64 cr0 = (r.cr0 | cr0_fixed0) & cr0_fixed1 & (paging ? ~0ULL : ~CR0_PG);
	u64 cr4 = (r.cr4 | cr4_fixed0) & cr4_fixed1;
	u32 n;

	TEST_ASSERT((cr4 & r.cr4) == r.cr4,
		    "nested VMX: L2's %s paging needs CR4 bits 0x%" PRIx64 " that IA32_VMX_CR4_FIXED1 (0x%" PRIx64 ") forbids",
		    paging_mode_name(l2->l2_mode), r.cr4 & ~cr4, cr4_fixed1);

	/* ES, CS, SS, DS, FS, GS in encoding order. */
	for (n = 0; n < 6; n++)
		put_guest_seg(fl, n, n == 1 ? SEL_CODE32 : SEL_DATA,
			      n == 1 ? VMX_AR_CODE32 : VMX_AR_DATA32,
			      0xffffffff);
	put_guest_seg(fl, 6, 0, VMX_AR_UNUSABLE, 0);		/* LDTR */
	put_guest_seg(fl, 7, 0, VMX_AR_TSS32_BUSY, 0x67);	/* TR */
	put(fl, VMCS_GUEST_GDTR_BASE, 0);
	put(fl, VMCS_GUEST_GDTR_LIMIT, 0);
	put(fl, VMCS_GUEST_IDTR_BASE, 0);
	put(fl, VMCS_GUEST_IDTR_LIMIT, 0);
	put(fl, VMCS_GUEST_CR0, cr0);
	put(fl, VMCS_CR0_READ_SHADOW, cr0);
	put(fl, VMCS_CR0_GUEST_HOST_MASK, 0);
	put(fl, VMCS_GUEST_CR3, paging ? l2->l2pt.root : 0);
	/* PAE paging under EPT: VM entry loads the PDPTEs from here. */
	if (l2->l2_mode == PAGING_PAE)
		for (n = 0; n < 4; n++)
			put(fl, VMCS_GUEST_PDPTE0 + 2 * n,
			    pg_read_entry(&l2->l2pt, l2->l2pt.root + 8 * n));
	put(fl, VMCS_GUEST_CR4, cr4);
	put(fl, VMCS_CR4_READ_SHADOW, cr4);
	put(fl, VMCS_CR4_GUEST_HOST_MASK, 0);
	put(fl, VMCS_GUEST_DR7, 0x400);
	put(fl, VMCS_GUEST_RSP, 0);
	put(fl, VMCS_GUEST_RFLAGS, 0x2);
	put(fl, VMCS_GUEST_PENDING_DBG, 0);
	put(fl, VMCS_GUEST_INTERRUPTIBILITY, 0);
	put(fl, VMCS_GUEST_ACTIVITY_STATE, 0);
	put(fl, VMCS_LINK_POINTER, ~0ULL);
	put(fl, VMCS_GUEST_DEBUGCTL, 0);
	put(fl, VMCS_GUEST_EFER, r.efer);
	put(fl, VMCS_GUEST_SYSENTER_CS, 0);
	put(fl, VMCS_GUEST_SYSENTER_ESP, 0);
	put(fl, VMCS_GUEST_SYSENTER_EIP, 0);
}

/*
 * Where a VM exit returns to: L1 as it is now (after it enabled VMX).
 * Host data selectors must have RPL 0, so ES/DS/FS/GS are null (64-bit
 * code ignores them; FS and GS keep their bases).  HOST_RSP and HOST_RIP
 * are L1's to write, right before each entry.
 */
static void host_state(struct nested_l2 *l2, struct vmx_fields *fl)
{
	struct kvm_sregs sr;

	vcpu_get_sregs(l2->vcpu, &sr);
	put(fl, VMCS_HOST_CR0, sr.cr0);
	put(fl, VMCS_HOST_CR3, sr.cr3);
	put(fl, VMCS_HOST_CR4, sr.cr4);
	put(fl, VMCS_HOST_CS_SEL, sr.cs.selector);
	put(fl, VMCS_HOST_SS_SEL, sr.ss.selector & ~7);
	put(fl, VMCS_HOST_ES_SEL, 0);
	put(fl, VMCS_HOST_DS_SEL, 0);
	put(fl, VMCS_HOST_FS_SEL, 0);
	put(fl, VMCS_HOST_GS_SEL, 0);
	put(fl, VMCS_HOST_TR_SEL, sr.tr.selector);
	put(fl, VMCS_HOST_FS_BASE, sr.fs.base);
	put(fl, VMCS_HOST_GS_BASE, sr.gs.base);
	put(fl, VMCS_HOST_TR_BASE, sr.tr.base);
	put(fl, VMCS_HOST_GDTR_BASE, sr.gdt.base);
	put(fl, VMCS_HOST_IDTR_BASE, sr.idt.base);
	put(fl, VMCS_HOST_EFER, sr.efer);
	put(fl, VMCS_HOST_SYSENTER_CS, 0);
	put(fl, VMCS_HOST_SYSENTER_ESP, 0);
	put(fl, VMCS_HOST_SYSENTER_EIP, 0);
}

static void controls(struct nested_l2 *l2, struct vmx_fields *fl)
{
	struct kvm_vcpu *v = l2->vcpu;
	bool t = vcpu_msr(v, MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CTLS;

	put(fl, VMCS_PIN_CONTROLS,
	    control(v, t ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			   MSR_IA32_VMX_PINBASED_CTLS, 0, "pin-based"));
	put(fl, VMCS_PROC_CONTROLS,
	    control(v, t ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			   MSR_IA32_VMX_PROCBASED_CTLS,
		    PROC_HLT_EXITING | PROC_UNCOND_IO_EXITING |
		    PROC_SECONDARY_CONTROLS, "processor-based"));
	put(fl, VMCS_PROC_CONTROLS2,
	    control(v, MSR_IA32_VMX_PROCBASED_CTLS2,
		    PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST,
		    "secondary processor-based"));
	put(fl, VMCS_EXIT_CONTROLS,
	    control(v, t ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
		    EXIT_HOST_ADDR_SPACE_SIZE | EXIT_LOAD_EFER, "VM-exit"));
	put(fl, VMCS_ENTRY_CONTROLS,
	    control(v, t ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			   MSR_IA32_VMX_ENTRY_CTLS,
		    ENTRY_LOAD_EFER |
		    (nested_l2_regs(l2).efer & EFER_LMA ?
		     ENTRY_IA32E_MODE_GUEST : 0), "VM-entry"));
	put(fl, VMCS_EXCEPTION_BITMAP, 0xffffffff);
	put(fl, VMCS_PF_ERROR_MASK, 0);
	put(fl, VMCS_PF_ERROR_MATCH, 0);
	put(fl, VMCS_CR3_TARGET_COUNT, 0);
	put(fl, VMCS_EXIT_MSR_STORE_COUNT, 0);
	put(fl, VMCS_EXIT_MSR_LOAD_COUNT, 0);
	put(fl, VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	put(fl, VMCS_ENTRY_INTR_INFO, 0);
	put(fl, VMCS_EPT_POINTER, l2->npt.root | EPTP_WB | EPTP_WALK_4 |
	    (l2->ad ? EPTP_AD : 0));
}

/* The VMXON region, the VMCS and the EPT's capabilities. */
static void vmx_setup(struct nested_l2 *l2)
{
	struct kvm_vm *vm = l2->vcpu->vm;
	struct vmx_l2 *vmx = &l2->vmx;
	u64 *a = vcpu_percpu(l2->vcpu)->args;
	u32 rev;

	vmx->vmxon = vm_alloc_table_page(vm);
	vmx->vmcs = vm_alloc_table_page(vm);
	vmx->fields = vm_alloc_table_page(vm);
	rev = VMX_BASIC_REVISION(vcpu_msr(l2->vcpu, MSR_IA32_VMX_BASIC));
	*(u32 *)gpa_to_hva(vm, vmx->vmxon) = rev;
	*(u32 *)gpa_to_hva(vm, vmx->vmcs) = rev;
	vmx->ept_caps = vcpu_msr(l2->vcpu, MSR_IA32_VMX_EPT_VPID_CAP);
	TEST_ASSERT((vmx->ept_caps & (EPT_CAP_WALK_4 | EPT_CAP_WB)) ==
		    (EPT_CAP_WALK_4 | EPT_CAP_WB),
		    "nested EPT without 4-level walks or write-back tables (IA32_VMX_EPT_VPID_CAP 0x%" PRIx64 ")",
		    vmx->ept_caps);
	l2->npt.ept = true;
	l2->npt.gbpages = vmx->ept_caps & EPT_CAP_1G;
	l2->map_flags = EPT_W | EPT_X | EPT_MT_WB;
	l2->page_sizes = PAGE_SIZE_4K |
			 (vmx->ept_caps & EPT_CAP_2M ? PAGE_SIZE_2M : 0) |
			 (l2->npt.gbpages ? PAGE_SIZE_1G : 0);
	l2->ad = vmx->ept_caps & EPT_CAP_AD;
	a[VMX_ARG_VMXON] = vmx->vmxon;
	a[VMX_ARG_VMCS] = vmx->vmcs;
	a[VMX_ARG_FIELDS] = vmx->fields;
}

/* L1 runs VMX: the whole VMCS, written by L1 before its first VMLAUNCH. */
static void vmx_started(struct nested_l2 *l2, u64 status)
{
	struct vmx_fields *fl = gpa_to_hva(l2->vcpu->vm, l2->vmx.fields);

	TEST_ASSERT(!status,
		    "L1 could not enable VMX: step %" PRIu64 " (1 IA32_FEATURE_CONTROL locked, 2 VMXON, 3 VMCLEAR, 4 VMPTRLD)",
		    status & 0xff);
	fl->count = 0;
	controls(l2, fl);
	host_state(l2, fl);
	guest_state(l2, fl);
}

/* After the first run, only the entry point changes. */
static void vmx_prepare(struct nested_l2 *l2, u64 rip)
{
	struct vmx_fields *fl = gpa_to_hva(l2->vcpu->vm, l2->vmx.fields);

	if (l2->vmx.launched)
		fl->count = 0;
	put(fl, VMCS_GUEST_RIP, rip);
	l2->vmx.launched = true;
}

static bool vmx_exit_ok(const struct nested_exit *x)
{
	u16 basic = (u16)x->code;

	if (x->code == VMX_EXIT_VMCALL)
		return true;
	if (x->code & VMX_L1_FAIL)
		tap_diag("L1: VMWRITE/VMLAUNCH/VMRESUME failed, VM-instruction error %" PRIu64,
			 x->code & 0xffffffff);
	else
		tap_diag("L2 exit reason 0x%x%s (VMCALL is %u, EPT violation %u, misconfiguration %u), qualification 0x%" PRIx64 ", %s 0x%" PRIx64,
			 basic,
			 x->code & VMX_EXIT_ENTRY_FAILURE ? ", VM entry failed" : "",
			 VMX_EXIT_VMCALL, VMX_EXIT_EPT_VIOLATION,
			 VMX_EXIT_EPT_MISCONFIG, x->info1,
			 basic == VMX_EXIT_EPT_VIOLATION ||
			 basic == VMX_EXIT_EPT_MISCONFIG ?
			 "guest-physical address" : "interruption information",
			 x->info2);
	return false;
}

/*
 * An EPT violation's qualification bits 5:0 (access, and the walk's R/W/X
 * ANDed): bits 7 and 8 (linear address valid, translated) come from the
 * CPU's own exit and say nothing of the nested walk.
 */
static bool vmx_fault(const struct nested_exit *x, u32 *vector,
		      u32 *error_code, u64 *gpa)
{
	if (x->code == VMX_EXIT_EPT_VIOLATION) {
		*vector = VEC_PF;
		*error_code = (u32)(x->info1 & 0x3f);
	} else if (x->code == VMX_EXIT_EPT_MISCONFIG) {
		*vector = VEC_EPT_MISCONFIG;
		*error_code = 0;
	} else {
		return false;
	}
	*gpa = x->info2;
	return true;
}

const struct nested_ops nested_vmx_ops = {
	.name = "VMX with EPT",
	.npt_name = "EPT",
	.supported = vmx_supported,
	.setup = vmx_setup,
	.started = vmx_started,
	.prepare = vmx_prepare,
	.exit_ok = vmx_exit_ok,
	.fault = vmx_fault,
};

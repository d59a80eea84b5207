// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "test_util.h"
#include "ucall.h"

bool ucall_decode_io(const struct kvm_run *run, u64 *gpa)
{
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != UCALL_PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 ||
	    run->io.count != 1)
		return false;
	*gpa = *(const u32 *)((const u8 *)run + run->io.data_offset);
	return true;
}

u32 vcpu_get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	u64 gpa;

	if (!ucall_decode_io(vcpu->run, &gpa))
		return UCALL_NONE;
	memcpy(uc, gpa_to_hva(vcpu->vm, gpa), sizeof(*uc));
	uc->file[UCALL_FILE_LEN - 1] = '\0';
	uc->text[UCALL_TEXT_LEN - 1] = '\0';
	TEST_ASSERT(uc->cmd < UCALL_NR_CMDS, "bad ucall command %u", uc->cmd);
	return uc->cmd;
}

static void __attribute__((noreturn)) unexpected_exit(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs r;
	struct kvm_sregs s;

	vcpu_get_regs(vcpu, &r);
	vcpu_get_sregs(vcpu, &s);
	test_assert_fail(__FILE__, __LINE__, "ucall exit",
		"vCPU %u: unexpected exit %s (%u)%s; rip 0x%llx rsp 0x%llx cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx; internal error suberror %u",
		vcpu->id, exit_reason_name(run->exit_reason), run->exit_reason,
		run->exit_reason == KVM_EXIT_IO ? " (I/O not to the ucall port)" : "",
		r.rip, r.rsp, s.cr0, s.cr3, s.cr4, s.efer,
		run->exit_reason == KVM_EXIT_INTERNAL_ERROR ?
			run->internal.suberror : 0);
}

static void stray_mmio(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	const struct kvm_run *run = vcpu->run;
	struct kvm_regs r;
	u64 data = 0;

	vcpu_get_regs(vcpu, &r);
	memcpy(&data, run->mmio.data, sizeof(data));
	memset(uc, 0, sizeof(*uc));
	uc->cmd = UCALL_STRAY_MMIO;
	snprintf(uc->text, sizeof(uc->text),
		 "vCPU %u: KVM_EXIT_MMIO %s of %u bytes at GPA 0x%llx (data 0x%" PRIx64 ", rip 0x%llx), %s",
		 vcpu->id, run->mmio.is_write ? "write" : "read", run->mmio.len,
		 (unsigned long long)run->mmio.phys_addr, data, r.rip,
		 __gpa_to_hva(vcpu->vm, run->mmio.phys_addr) ?
		 "inside a memslot: KVM took guest memory for MMIO" :
		 "outside every memslot and the MMIO RAM: no guest table leads there");
}

u32 vcpu_run_to_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	for (;;) {
		u32 cmd;

		int r = __vcpu_run(vcpu);

		if (r && errno == ETIMEDOUT) {
			memset(uc, 0, sizeof(*uc));
			uc->cmd = UCALL_HANG;
			return UCALL_HANG;
		}
		vcpu_run_check(vcpu, r);
		if (vcpu->run->exit_reason == KVM_EXIT_MMIO) {
			stray_mmio(vcpu, uc);
			return UCALL_STRAY_MMIO;
		}
		cmd = vcpu_get_ucall(vcpu, uc);
		if (cmd == UCALL_NONE)
			unexpected_exit(vcpu);
		if (cmd != UCALL_PRINT)
			return cmd;
		tap_diag("guest vCPU %u: %s", vcpu->id, uc->text);
	}
}

static void format_exception(struct kvm_vcpu *vcpu, const struct ucall *uc,
			     char *buf, size_t size)
{
	u64 vector = uc->args[UCALL_EXC_VECTOR];
	u64 cr2 = uc->args[UCALL_EXC_CR2];
	struct kvm_vm *vm = vcpu->vm;
	struct kvm_sregs s;
	struct pg_walk w;
	size_t n;

	n = (size_t)snprintf(buf, size,
		"vCPU %u: unexpected exception %" PRIu64 " at rip 0x%" PRIx64
		", error code 0x%" PRIx64 ", cr2 0x%" PRIx64,
		vcpu->id, vector, uc->args[UCALL_EXC_RIP],
		uc->args[UCALL_EXC_ERROR_CODE], cr2);
	if (vector != VEC_PF || n >= size || !vm->pt.root)
		return;
	vcpu_get_sregs(vcpu, &s);
	pg_walk(&vm->pt, s.cr3, cr2, (u32)uc->args[UCALL_EXC_ERROR_CODE] &
		(PFERR_W | PFERR_U | PFERR_F), false, &w);
	buf[n++] = '\n';
	pg_walk_format(&vm->pt, &w, buf + n, size - n);
}

void ucall_format(struct kvm_vcpu *vcpu, const struct ucall *uc, char *buf,
		  size_t size)
{
	switch (uc->cmd) {
	case UCALL_ASSERT:
		snprintf(buf, size,
			 "vCPU %u: guest assertion failed at %s:%u: %s (0x%" PRIx64 " vs 0x%" PRIx64 ")",
			 vcpu->id, uc->file, uc->line, uc->text,
			 uc->args[0], uc->args[1]);
		break;
	case UCALL_EXCEPTION:
		format_exception(vcpu, uc, buf, size);
		break;
	case UCALL_HANG:
		snprintf(buf, size, "%s", vcpu->hang_report);
		break;
	case UCALL_STRAY_MMIO:
		snprintf(buf, size, "%s", uc->text);
		break;
	default:
		snprintf(buf, size, "vCPU %u: ucall %u (%s)", vcpu->id, uc->cmd,
			 uc->text);
	}
}

// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "guest.h"
#include "tap.h"
#include "test_util.h"
#include "ucall.h"
#include "worker.h"

static bool run_to_sync(struct kvm_vcpu *vcpu)
{
	struct ucall uc;
	char msg[4096];
	u32 cmd = vcpu_run_to_ucall(vcpu, &uc);

	if (cmd == UCALL_SYNC)
		return true;
	ucall_format(vcpu, &uc, msg, sizeof(msg));
	tap_diag("%s", msg);
	return false;
}

void worker_start(struct kvm_vcpu *vcpu, u64 base_va, u32 nr_pages)
{
	struct guest_percpu *pc = vcpu_percpu(vcpu);

	pc->args[WORKER_BASE] = base_va;
	pc->args[WORKER_PAGES] = nr_pages;
	TEST_ASSERT(run_to_sync(vcpu), "memory worker did not start");
}

void worker_post(struct kvm_vcpu *vcpu, u32 cmd, u32 gen, const u32 *list,
		 u32 count)
{
	struct guest_percpu *pc = vcpu_percpu(vcpu);
	struct kvm_vm *vm = vcpu->vm;

	pc->args[WORKER_CMD] = cmd;
	pc->args[WORKER_GEN] = gen;
	pc->args[WORKER_COUNT] = count;
	if (list) {
		pc->args[WORKER_LIST] = vm_arena_alloc(vm, count * sizeof(*list));
		memcpy(gpa_to_hva(vm, pc->args[WORKER_LIST]), list,
		       count * sizeof(*list));
	}
}

bool worker_resume(struct kvm_vcpu *vcpu)
{
	return run_to_sync(vcpu);
}

bool worker_cmd(struct kvm_vcpu *vcpu, u32 cmd, u32 gen, const u32 *list,
		u32 count)
{
	if (list)
		vm_arena_reset(vcpu->vm);
	worker_post(vcpu, cmd, gen, list, count);
	return worker_resume(vcpu);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host half of the memory worker (abi/worker_cmd.h).
 *
 *   worker_start(vcpu, base_va, nr_pages);    // runs to the first SYNC
 *   worker_cmd(vcpu, WORKER_FILL, 1, NULL, 0);
 *   worker_cmd(vcpu, WORKER_WRITE_LIST, 2, pages, n);
 *
 * Several vCPUs at once: post each one's command from one thread (the
 * lists share the arena, so vm_arena_reset() once before), then resume
 * each vCPU from its own thread, as often as the command is to be rerun.
 */
#ifndef KMT_WORKER_H
#define KMT_WORKER_H

#include "abi/worker_cmd.h"
#include "kvm.h"

void worker_start(struct kvm_vcpu *vcpu, u64 base_va, u32 nr_pages);
/*
 * Runs one command to completion.  Returns false, with the guest's report
 * (which page, expected and actual words) as TAP diagnostics, if the guest
 * failed an assertion or took an exception.
 */
bool worker_cmd(struct kvm_vcpu *vcpu, u32 cmd, u32 gen, const u32 *list,
		u32 count);
/*
 * worker_cmd() in two halves: worker_post() writes the command and copies
 * @list into the arena (without resetting it); worker_resume() runs the
 * posted command once more and reports as worker_cmd() does.
 */
void worker_post(struct kvm_vcpu *vcpu, u32 cmd, u32 gen, const u32 *list,
		 u32 count);
bool worker_resume(struct kvm_vcpu *vcpu);

#endif

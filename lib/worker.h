/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host half of the memory worker (lib/abi/worker.h).
 *
 *   worker_start(vcpu, base_va, nr_pages);    // runs to the first SYNC
 *   worker_cmd(vcpu, WORKER_FILL, 1, NULL, 0);
 *   worker_cmd(vcpu, WORKER_WRITE_LIST, 2, pages, n);
 */
#ifndef KMT_WORKER_H
#define KMT_WORKER_H

#include "abi/worker.h"
#include "kvm.h"

void worker_start(struct kvm_vcpu *vcpu, u64 base_va, u32 nr_pages);
/*
 * Runs one command to completion.  Returns false, with the guest's report
 * (which page, expected and actual words) as TAP diagnostics, if the guest
 * failed an assertion or took an exception.
 */
bool worker_cmd(struct kvm_vcpu *vcpu, u32 cmd, u32 gen, const u32 *list,
		u32 count);

#endif

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

#include <pthread.h>

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

/*
 * vCPUs rerunning their posted commands at once, one host thread each,
 * while the main thread changes the VM under them (what memstress is to
 * KVM selftests):
 *
 *   worker_post(vcpu[i], ...) for each;
 *   worker_threads_start(&wt, vcpus, 2);
 *   worker_threads_wait(&wt, 1);       // each vCPU completed a pass
 *   ... enable dirty logging, fetch the log ...
 *   ok = worker_threads_stop(&wt);     // each reran once after this
 *
 * Every wait counts passes, never time: a starved host makes a round
 * slower, not a failure.  A vCPU whose pass fails (guest assertion,
 * exception, or the vCPU watchdog's kick) ends its thread, with the
 * guest's report as TAP diagnostics, and counts as having passed.
 */
#define WORKER_MAX_THREADS	8

struct worker_thread {
	struct worker_threads *group;
	struct kvm_vcpu *vcpu;
	pthread_t thread;
	u32 passes;
	bool ok;		/* every pass succeeded */
	bool done;
};

struct worker_threads {
	u32 n;
	struct worker_thread t[WORKER_MAX_THREADS];
	pthread_mutex_t lock;
	pthread_cond_t progress;
	bool stop;
};

void worker_threads_start(struct worker_threads *wt, struct kvm_vcpu **vcpus,
			  u32 n);
/* Waits until each vCPU completed @passes passes (or failed). */
void worker_threads_wait(struct worker_threads *wt, u32 passes);
/* Passes completed so far, all vCPUs together. */
u32 worker_threads_passes(struct worker_threads *wt);
/*
 * Lets each vCPU complete one more pass begun after this call, joins the
 * threads; true if every pass of every vCPU succeeded.  @wt stays
 * readable (t[i].ok, worker_threads_passes()).
 */
bool worker_threads_stop(struct worker_threads *wt);

#endif

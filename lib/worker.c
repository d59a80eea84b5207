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

static void *worker_thread_main(void *arg)
{
	struct worker_thread *w = arg;
	struct worker_threads *wt = w->group;
	bool last, ok;

	do {
		pthread_mutex_lock(&wt->lock);
		last = wt->stop;
		pthread_mutex_unlock(&wt->lock);
		ok = worker_resume(w->vcpu);
		pthread_mutex_lock(&wt->lock);
		w->passes++;
		w->ok = w->ok && ok;
		w->done = !ok || last;
		pthread_cond_broadcast(&wt->progress);
		pthread_mutex_unlock(&wt->lock);
	} while (ok && !last);
	return NULL;
}

void worker_threads_start(struct worker_threads *wt, struct kvm_vcpu **vcpus,
			  u32 n)
{
	u32 i;

	TEST_ASSERT(n <= WORKER_MAX_THREADS, "%u worker threads, at most %u",
		    n, WORKER_MAX_THREADS);
	memset(wt, 0, sizeof(*wt));
	wt->n = n;
	pthread_mutex_init(&wt->lock, NULL);
	pthread_cond_init(&wt->progress, NULL);
	for (i = 0; i < n; i++) {
		wt->t[i] = (struct worker_thread){ .group = wt, .vcpu = vcpus[i],
						   .ok = true };
		TEST_ASSERT(!pthread_create(&wt->t[i].thread, NULL,
					    worker_thread_main, &wt->t[i]),
			    "pthread_create failed");
	}
}

static bool all_passed(const struct worker_threads *wt, u32 passes)
{
	u32 i;

	for (i = 0; i < wt->n; i++)
		if (!wt->t[i].done && wt->t[i].passes < passes)
			return false;
	return true;
}

void worker_threads_wait(struct worker_threads *wt, u32 passes)
{
	pthread_mutex_lock(&wt->lock);
	while (!all_passed(wt, passes))
		pthread_cond_wait(&wt->progress, &wt->lock);
	pthread_mutex_unlock(&wt->lock);
}

u32 worker_threads_passes(struct worker_threads *wt)
{
	u32 i, n = 0;

	pthread_mutex_lock(&wt->lock);
	for (i = 0; i < wt->n; i++)
		n += wt->t[i].passes;
	pthread_mutex_unlock(&wt->lock);
	return n;
}

bool worker_threads_stop(struct worker_threads *wt)
{
	bool ok = true;
	u32 i;

	pthread_mutex_lock(&wt->lock);
	wt->stop = true;
	pthread_mutex_unlock(&wt->lock);
	for (i = 0; i < wt->n; i++) {
		pthread_join(wt->t[i].thread, NULL);
		ok = ok && wt->t[i].ok;
	}
	/* The lock stays usable: callers still read the pass counts. */
	return ok;
}

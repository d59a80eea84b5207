/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vCPU watchdog: a vCPU that stays inside KVM_RUN without completing
 * a unit of guest work (an op of a script, a page of the memory worker:
 * struct guest_percpu.progress) for the timeout is kicked out of KVM_RUN
 * (a signal plus kvm_run.immediate_exit), and KVM_RUN's caller gets a
 * report instead of waiting for the harness to kill the whole test.
 *
 * A shadow-paging bug that makes KVM re-enter the guest on a fault it
 * never fixes looks exactly like that from user space: KVM_RUN never
 * returns.  The report shows where the guest is (RIP, CR0/CR3/CR4, CR2,
 * EFER), how far it got, and the vCPU statistics that tell a fault storm
 * (exits, pf_taken, pf_fixed, pf_spurious, pf_emulate) over the last half
 * of the timeout.
 *
 * Wall time, not CPU time: a starved host delays every unit of work by
 * the same factor, and a unit is microseconds of guest work, so the
 * default of 20 s is four orders of magnitude above a healthy unit even
 * under an emulator on a loaded machine.
 */
#ifndef KMT_WATCHDOG_H
#define KMT_WATCHDOG_H

#include <pthread.h>
#include <stddef.h>

#include "abi/types.h"

struct kvm_vcpu;

#define WATCHDOG_DEFAULT_S	20
#define WD_NR_STATS		6

/* Per vCPU, in struct kvm_vcpu; guarded by the watchdog's lock. */
struct vcpu_watch {
	const volatile u32 *progress;	/* the guest's counter, or NULL */
	pthread_t runner;		/* the thread inside KVM_RUN */
	u64 since_ns;			/* entry or last progress */
	u32 last_progress;
	bool kicked;
	u64 kick_ns;
	u64 snap_ns;			/* when snap[] was read, 0 if not */
	u64 snap[WD_NR_STATS];
	u32 snap_have;			/* bit i: snap[i] is valid */
};

/* Seconds without progress before a kick; 0 turns the watchdog off. */
void watchdog_set_timeout(unsigned int seconds);
unsigned int watchdog_timeout(void);

/* Around every KVM_RUN (lib/kvm.c). */
void watchdog_enter(struct kvm_vcpu *vcpu);
/* True if the watchdog kicked this run; then the report is in @buf. */
bool watchdog_leave(struct kvm_vcpu *vcpu, bool interrupted, char *buf,
		    size_t size);

#endif

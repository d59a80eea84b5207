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
 * A vCPU that does not leave KVM_RUN within WATCHDOG_GRACE_S of the kick
 * loops inside the kernel (KVM_RUN only notices signals between guest
 * entries): then the watchdog thread reports on its own, with the vCPU
 * thread's kernel stack (/proc/self/task/TID/stack) instead of registers
 * (KVM_GET_REGS would wait for the vCPU's mutex forever), fails the test
 * and exits: the thread can never be recovered.  On a machine with one
 * CPU and a non-preemptible kernel nothing in user space runs again; the
 * harness boots its kernel with softlockup_panic for that case.
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
#include <sys/types.h>

#include "abi/types.h"

struct kvm_vcpu;

#define WATCHDOG_DEFAULT_S	20
#define WATCHDOG_GRACE_S	5
#define WD_NR_STATS		6

/* Per vCPU, in struct kvm_vcpu; guarded by the watchdog's lock. */
struct vcpu_watch {
	const volatile u32 *progress;	/* the guest's counter, or NULL */
	pthread_t runner;		/* the thread inside KVM_RUN */
	pid_t tid;			/* its kernel thread id */
	/*
	 * The vCPU's stats fd, opened before its first KVM_RUN: the
	 * KVM_GET_STATS_FD ioctl waits for the vCPU mutex that KVM_RUN
	 * holds, reading the fd does not.
	 */
	int stats_fd;
	bool stats_opened;
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
/* When the vCPU goes away. */
void watchdog_vcpu_release(struct kvm_vcpu *vcpu);

#endif

// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kvm.h"
#include "stats.h"
#include "tap.h"
#include "test_util.h"
#include "text.h"
#include "watchdog.h"

#define WATCHDOG_POLL_NS	100000000ULL	/* 100 ms */
#define WATCHDOG_MAX_VCPUS	64

/* The statistics that tell a fault storm from a guest loop. */
static const char *const storm_stats[WD_NR_STATS] = {
	"exits", "pf_taken", "pf_fixed", "pf_spurious", "pf_emulate", "pf_guest",
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t started = PTHREAD_ONCE_INIT;
static struct kvm_vcpu *watched[WATCHDOG_MAX_VCPUS];
static unsigned int timeout_s = WATCHDOG_DEFAULT_S;

void watchdog_set_timeout(unsigned int seconds)
{
	timeout_s = seconds;
}

unsigned int watchdog_timeout(void)
{
	return timeout_s;
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/*
 * Reads the storm statistics from the fd opened before KVM_RUN (never
 * the ioctl: see struct vcpu_watch); a kernel without one leaves it unset.
 */
static void read_storm_stats(struct kvm_vcpu *vcpu, u64 *val, u32 *have)
{
	struct kvm_stats st;
	int i;

	*have = 0;
	if (vcpu->watch.stats_fd < 0 || __stats_open(&st, vcpu->watch.stats_fd))
		return;
	for (i = 0; i < WD_NR_STATS; i++)
		if (__stats_read(&st, storm_stats[i], &val[i]))
			*have |= 1U << i;
	free(st.descs);		/* the fd stays open */
}

void watchdog_vcpu_release(struct kvm_vcpu *vcpu)
{
	if (vcpu->watch.stats_opened && vcpu->watch.stats_fd >= 0)
		close(vcpu->watch.stats_fd);
	vcpu->watch.stats_opened = false;
}

static void format_deltas(struct kvm_vcpu *vcpu, char *buf, size_t size);

/* The line ci/klog-scan.awk's klog_stuck() knows. */
static void kmsg_stuck(u32 id)
{
	FILE *f = fopen("/dev/kmsg", "w");

	if (!f)
		return;
	fprintf(f, "kmt: vCPU %u stuck in the kernel: the test cannot exit\n", id);
	fclose(f);
}

/*
 * The kick did not bring the vCPU out of KVM_RUN: it loops in the kernel.
 * Reported from this thread, then the test ends (exit status 1).
 */
static void __attribute__((noreturn)) report_stuck(struct kvm_vcpu *vcpu,
						    u64 now)
{
	struct vcpu_watch *w = &vcpu->watch;
	char path[64], deltas[512], *stack, *line, *save = NULL;
	int i;

	format_deltas(vcpu, deltas, sizeof(deltas));
	tap_check(false,
		  "vCPU %u returned from KVM_RUN when the watchdog kicked it",
		  vcpu->id);
	tap_diag("vCPU %u hung inside the kernel: no guest progress for %u s, and KVM_RUN ignored the watchdog's signal for %.1f s (KVM loops without returning to its run loop); guest progress counter %u%s",
		 vcpu->id, timeout_s, (double)(now - w->kick_ns) / 1e9,
		 w->last_progress, deltas);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", (int)w->tid);
	stack = read_file(path);
	tap_diag("kernel stack of the vCPU thread (%s)%s", path,
		 stack && *stack ? ":" : ": not readable (needs root and CONFIG_STACKTRACE)");
	for (line = stack ? strtok_r(stack, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		tap_diag("  %s", line);
	free(stack);
	/*
	 * The stuck thread would keep exit() waiting, and the test's parent
	 * with it: say so in the kernel log, where the harness's guest init
	 * looks (ci/init.sh's oops watch ends the machine then), flush, go.
	 */
	kmsg_stuck(vcpu->id);
	i = tap_finish();
	fflush(stdout);
	_exit(i);
}

static void check_vcpu(struct kvm_vcpu *vcpu, u64 now)
{
	struct vcpu_watch *w = &vcpu->watch;
	u64 limit = (u64)timeout_s * 1000000000ULL;
	u32 p = w->progress ? *w->progress : 0;

	if (p != w->last_progress) {
		w->last_progress = p;
		w->since_ns = now;
		w->snap_have = 0;
		w->snap_ns = 0;
	}
	/* Halfway: the baseline the report's deltas are taken against. */
	if (!w->snap_ns && now - w->since_ns >= limit / 2) {
		read_storm_stats(vcpu, w->snap, &w->snap_have);
		w->snap_ns = now;
	}
	if (now - w->since_ns < limit)
		return;
	if (w->kicked && now - w->kick_ns >= WATCHDOG_GRACE_S * 1000000000ULL)
		report_stuck(vcpu, now);
	/* Signal again from a second on: the first may have raced KVM_RUN's entry. */
	if (w->kicked && now - w->kick_ns < 1000000000ULL)
		return;
	if (!w->kicked)
		w->kick_ns = now;
	w->kicked = true;
	vcpu->run->immediate_exit = 1;
	pthread_kill(w->runner, SIGUSR1);
}

static void *watchdog_main(void *arg)
{
	struct timespec poll = { 0, WATCHDOG_POLL_NS };
	int i;

	(void)arg;
	for (;;) {
		nanosleep(&poll, NULL);
		pthread_mutex_lock(&lock);
		for (i = 0; i < WATCHDOG_MAX_VCPUS; i++)
			if (watched[i] && timeout_s)
				check_vcpu(watched[i], now_ns());
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

/* Only interrupts KVM_RUN (no SA_RESTART); nothing to do in the handler. */
static void kick_handler(int sig)
{
	(void)sig;
}

static void watchdog_start(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	pthread_attr_t attr;
	pthread_t t;

	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction: %s",
		    strerror(errno));
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	TEST_ASSERT(!pthread_create(&t, &attr, watchdog_main, NULL),
		    "cannot start the vCPU watchdog thread");
	pthread_attr_destroy(&attr);
}

void watchdog_enter(struct kvm_vcpu *vcpu)
{
	struct vcpu_watch *w = &vcpu->watch;
	int i;

	if (!timeout_s)
		return;
	pthread_once(&started, watchdog_start);
	if (!w->stats_opened) {
		w->stats_fd = ioctl(vcpu->fd, KVM_GET_STATS_FD, NULL);
		w->stats_opened = true;
	}
	pthread_mutex_lock(&lock);
	w->runner = pthread_self();
	w->tid = gettid();
	w->since_ns = now_ns();
	w->last_progress = w->progress ? *w->progress : 0;
	w->snap_ns = 0;
	w->kicked = false;
	for (i = 0; i < WATCHDOG_MAX_VCPUS && watched[i]; i++)
		;
	TEST_ASSERT(i < WATCHDOG_MAX_VCPUS, "more than %d vCPUs in KVM_RUN",
		    WATCHDOG_MAX_VCPUS);
	watched[i] = vcpu;
	pthread_mutex_unlock(&lock);
}

static void format_deltas(struct kvm_vcpu *vcpu, char *buf, size_t size)
{
	struct vcpu_watch *w = &vcpu->watch;
	u64 now[WD_NR_STATS];
	size_t n = 0;
	u32 have;
	int i;

	read_storm_stats(vcpu, now, &have);
	have &= w->snap_have;
	if (!have) {
		snprintf(buf, size, "; no vCPU statistics to compare");
		return;
	}
	n += (size_t)snprintf(buf, size, "; vCPU statistics over the last %.1f s:",
			      (double)(now_ns() - w->snap_ns) / 1e9);
	for (i = 0; i < WD_NR_STATS && n < size; i++)
		if (have & (1U << i))
			n += (size_t)snprintf(buf + n, size - n, " %s +%" PRIu64,
					      storm_stats[i], now[i] - w->snap[i]);
	if (n >= size)
		return;
	/* exits and pf_taken are the first two. */
	if ((have & 3) == 3 && now[1] - w->snap[1] > 1000)
		snprintf(buf + n, size - n,
			 " (a fault storm: KVM keeps taking page faults the guest never gets past)");
	else if ((have & 1) && now[0] == w->snap[0])
		snprintf(buf + n, size - n,
			 " (no exits: the vCPU loops in guest code or is stuck in the kernel)");
}

static void format_report(struct kvm_vcpu *vcpu, char *buf, size_t size)
{
	struct vcpu_watch *w = &vcpu->watch;
	struct kvm_regs r;
	struct kvm_sregs s;
	size_t n;

	vcpu_get_regs(vcpu, &r);
	vcpu_get_sregs(vcpu, &s);
	n = (size_t)snprintf(buf, size,
		"vCPU %u hung: no guest progress for %u s inside KVM_RUN, kicked out by the watchdog (--vcpu-timeout); guest progress counter %u; rip 0x%llx rsp 0x%llx cr0 0x%llx cr2 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx",
		vcpu->id, timeout_s, w->last_progress, r.rip, r.rsp, s.cr0,
		s.cr2, s.cr3, s.cr4, s.efer);
	if (n < size)
		format_deltas(vcpu, buf + n, size - n);
}

bool watchdog_leave(struct kvm_vcpu *vcpu, bool interrupted, char *buf,
		    size_t size)
{
	struct vcpu_watch *w = &vcpu->watch;
	bool kicked;
	int i;

	if (!timeout_s)
		return false;
	pthread_mutex_lock(&lock);
	for (i = 0; i < WATCHDOG_MAX_VCPUS; i++)
		if (watched[i] == vcpu)
			watched[i] = NULL;
	kicked = w->kicked;
	w->kicked = false;
	pthread_mutex_unlock(&lock);
	if (!kicked)
		return false;
	vcpu->run->immediate_exit = 0;
	/* KVM_RUN came back on its own just as the kick went out: no hang. */
	if (!interrupted)
		return false;
	format_report(vcpu, buf, size);
	return true;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel memory a test process makes the kernel spend: memory cgroup v2
 * (memory.current, memory.stat), /proc/slabinfo and /proc/meminfo.
 *
 *   struct kmem_cg cg;
 *   struct kmem_snapshot before, after;
 *
 *   if (__kmem_cg_enter(&cg, why, sizeof(why)))   // fresh cgroup, or SKIP
 *           tap_skip_all("%s", why);
 *   kmem_settle(&cg, &before);                     // quiet, exact figures
 *   ... create N VMs ...
 *   kmem_snapshot(&cg, &after);
 *   per_vm = kmem_delta(&before, &after, KMEM_KVM) / N;
 *   kmem_cg_leave(&cg);
 *
 * Precision.  Charges are batched per CPU: each CPU keeps up to 64 pages
 * precharged for one memcg (memcg_stock) and a sub-page byte remainder
 * for one obj_cgroup (obj_stock), and memory.stat lags behind until the
 * rstat flush threshold is crossed.  kmem_snapshot() therefore steps into
 * a sibling "drain" cgroup and makes a few accounted allocations there
 * (pipes, one page written into each): that hands both per-CPU stocks to
 * the sibling, which returns the measured cgroup's precharge (draining the
 * obj_stock refills the page stock, which the next page charge drains
 * again), and crosses the flush threshold, so the following memory.stat
 * read is flushed.  The figures are then exact to about one page (the
 * byte remainder kept in objcg->nr_charged_bytes).  /proc/meminfo is
 * read after a write to /proc/sys/vm/stat_refresh folds the per-CPU
 * vmstat deltas.
 * The process is pinned to one CPU by __kmem_cg_enter() so that no stock
 * is left behind on another CPU.  What remains is real: objects freed
 * through RCU (struct file, debugfs inodes, dentries) after an RCU grace
 * period, which kmem_settle() waits out.
 */
#ifndef KMT_KMEM_CG_H
#define KMT_KMEM_CG_H

#include "kmem.h"

struct kmem_cg {
	char path[512];		/* the measured cgroup */
	char drain[512];	/* sibling that takes the per-CPU stocks */
	char home[512];		/* where the process was before */
	bool entered;
};

/*
 * Moves the process into a fresh cgroup below the cgroup2 root (enabling
 * the memory controller there if need be) and pins it to its current
 * CPU.  Returns 0, or -1 with @why saying what is missing.
 */
int __kmem_cg_enter(struct kmem_cg *cg, char *why, size_t why_size);
/* Moves the process back and removes the cgroups (also done at exit). */
void kmem_cg_leave(struct kmem_cg *cg);

/* Drains the per-CPU charge caches and reads every figure. */
void kmem_snapshot(struct kmem_cg *cg, struct kmem_snapshot *s);
/*
 * Snapshots every @interval_ms until KMEM_KERNEL stays unchanged (to
 * within one page) over two intervals in a row, for at most @max_ms;
 * returns false if it never settled (the last snapshot is in @s anyway).
 * kmem_settle(): every 20 ms, for at most 3 s.
 */
bool __kmem_settle(struct kmem_cg *cg, struct kmem_snapshot *s,
		   unsigned int interval_ms, unsigned int max_ms);
bool kmem_settle(struct kmem_cg *cg, struct kmem_snapshot *s);

/*
 * /proc/vmallocinfo by caller (kmem_parse_vmallocinfo()); 0 callers when
 * it cannot be read.  kmem_vmalloc_diag() names, as TAP diagnostics, each
 * caller holding other pages or areas in @after than in @before.
 */
int kmem_vmalloc_read(struct kmem_vmalloc_caller *c, int max);
void kmem_vmalloc_diag(const struct kmem_vmalloc_caller *before, int nb,
		       const struct kmem_vmalloc_caller *after, int na);

#endif

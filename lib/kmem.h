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
 *
 * All figures are bytes.  The parsers are separate for unit tests.
 */
#ifndef KMT_KMEM_H
#define KMT_KMEM_H

#include <stdbool.h>
#include <stddef.h>

#include "abi/types.h"

enum kmem_item {
	KMEM_CURRENT,		/* memory.current: user + kernel pages */
	KMEM_KERNEL,		/* memory.stat kernel: every kmem charge */
	KMEM_KVM,		/* kernel - pagetables (see below) */
	KMEM_SLAB,		/* memory.stat slab (reclaimable + not) */
	KMEM_SLAB_UNRECLAIMABLE,
	KMEM_SEC_PAGETABLES,	/* KVM's shadow/TDP page tables */
	KMEM_PAGETABLES,	/* the process's own (user) page tables */
	KMEM_PERCPU,
	KMEM_KERNEL_STACK,
	KMEM_VMALLOC,
	KMEM_ANON,
	KMEM_SYS_SEC_PAGETABLES, /* /proc/meminfo SecPageTables, system wide */
	KMEM_SYS_SUNRECLAIM,	/* /proc/meminfo SUnreclaim, system wide */
	KMEM_SYS_VMALLOC,	/* /proc/meminfo VmallocUsed, system wide */
	KMEM_SYS_KERNEL_STACK,	/* /proc/meminfo KernelStack, system wide */
	KMEM_NR_ITEMS,
};

/*
 * KMEM_KVM is what a VM costs the kernel on behalf of the process: all
 * kernel memory charged to the cgroup, less the page tables of the
 * process's own address space (guest memory mappings of the VMM, not
 * KVM's).  Shadow and TDP page tables are in it (sec_pagetables), and so
 * are the slab objects, vmalloc and page allocations KVM makes with
 * __GFP_ACCOUNT, plus the VMM-side file, VMA and debugfs objects.
 * What KVM allocates without __GFP_ACCOUNT (the guest FPU state, SRCU's
 * per-CPU data, its worker threads) is in no cgroup; the system-wide
 * KMEM_SYS_* figures see some of it (vmalloc, kernel stacks).
 */

/* The KVM slab caches tracked in /proc/slabinfo. */
enum kmem_cache_id {
	KMEM_CACHE_VCPU,		/* "kvm_vcpu": struct vcpu_svm/vcpu_vmx */
	KMEM_CACHE_EMULATOR,		/* "x86_emulator" */
	KMEM_CACHE_MMU_PAGE_HEADER,	/* "kvm_mmu_page_header" */
	KMEM_CACHE_PTE_LIST_DESC,	/* "pte_list_desc" (rmap lists) */
	KMEM_NR_CACHES,
};

/*
 * Without slab_nomerge on the kernel command line, a cache may be merged
 * into another one of the same size and flags and have no line of its
 * own (pte_list_desc usually is).  SLUB counts every object of a per-CPU
 * slab as active: object counts are approximate, the cgroup is not.
 */
struct kmem_slab {
	bool found;		/* false: no such line (merged, or absent) */
	u64 active_objs;
	u64 num_objs;
	u64 objsize;
};

struct kmem_snapshot {
	bool have[KMEM_NR_ITEMS];
	u64 val[KMEM_NR_ITEMS];
	struct kmem_slab slab[KMEM_NR_CACHES];
};

struct kmem_cg {
	char path[512];		/* the measured cgroup */
	char drain[512];	/* sibling that takes the per-CPU stocks */
	char home[512];		/* where the process was before */
	bool entered;
};

/* "memory.current", "kernel", ... and "kvm_vcpu", ... for reports. */
const char *kmem_item_name(enum kmem_item item);
const char *kmem_cache_name(enum kmem_cache_id id);

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

/* @b - @a for one item; 0 if either lacks it. */
s64 kmem_delta(const struct kmem_snapshot *a, const struct kmem_snapshot *b,
	       enum kmem_item item);

/*
 * Parsers.  kmem_parse_stat() reads "key value" lines (memory.stat),
 * kmem_parse_meminfo() "Key:   123 kB" lines (into bytes), and
 * kmem_parse_slabinfo() one cache of /proc/slabinfo 2.x ("name
 * active_objs num_objs objsize objperslab pagesperslab : ...").  A key
 * must match a whole field: "slab" does not match "slab_reclaimable".
 * Each returns false when the key is not there or its value is malformed.
 */
bool kmem_parse_stat(const char *text, const char *key, u64 *val);
bool kmem_parse_meminfo(const char *text, const char *key, u64 *bytes);
bool kmem_parse_slabinfo(const char *text, const char *cache,
			 struct kmem_slab *s);

/* Fills @s from the text of memory.current, memory.stat and the rest. */
void kmem_snapshot_parse(struct kmem_snapshot *s, const char *current,
			 const char *stat, const char *meminfo,
			 const char *slabinfo);

/* Median, minimum and maximum of repeated measurements. */
struct kmem_spread {
	s64 median, min, max;
	unsigned int n;
};

void kmem_spread(const s64 *v, unsigned int n, struct kmem_spread *sp);

/*
 * Budgets and records share one line format:
 *
 *   # comment
 *   SCENARIO  CONFIG  BYTES
 *
 * BYTES is a whole number with an optional K, M or G suffix (KiB, MiB,
 * GiB).  CONFIG is a configuration of ci/configs, an MMU flavour
 * ("shadow", "tdp") or "*".  kmem_bounds_find() prefers the last line for
 * the exact configuration, then the flavour, then "*".
 */
struct kmem_bound {
	char scenario[32];
	char config[32];
	u64 bytes;
};

/*
 * Parses @text into at most @max bounds; returns how many, or -1 with
 * @err naming the line and what is wrong with it.
 */
int kmem_bounds_parse(const char *text, struct kmem_bound *b, int max,
		      char *err, size_t err_size);
const struct kmem_bound *kmem_bounds_find(const struct kmem_bound *b, int n,
					  const char *scenario,
					  const char *config,
					  const char *flavour);
/* Parses "123", "96K", "2M"; false if malformed. */
bool kmem_parse_size(const char *s, u64 *bytes);

/*
 * /proc/vmallocinfo summed by caller (the symbol, without its offset):
 * what to print when the system-wide vmalloc figure moved.  Areas with no
 * caller count as "(none)"; "unpurged vm_area" lines (freed, their
 * virtual range not yet purged) hold no pages and are skipped.  Returns
 * how many callers went into @c (at most @max; the rest are dropped).
 */
struct kmem_vmalloc_caller {
	char caller[64];
	s64 pages;		/* pages=N: pages allocated by vmalloc */
	s64 bytes;		/* area sizes, guard pages included */
	s64 areas;
};

int kmem_parse_vmallocinfo(const char *text, struct kmem_vmalloc_caller *c,
			   int max);

/* A whole file into a NUL-terminated malloc()ed buffer, or NULL. */
char *kmem_read_file(const char *path);

#endif

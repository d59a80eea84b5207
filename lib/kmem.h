/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel memory figures: what a snapshot holds (memory cgroup v2
 * memory.current and memory.stat, /proc/slabinfo, /proc/meminfo) and the
 * pure parsers of those files, unit-tested on their own.  Taking the
 * snapshots is lib/kmem_cg.h; budgets and baselines are lib/kmem_budget.h.
 * All figures are bytes.
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

/* "memory.current", "kernel", ... and "kvm_vcpu", ... for reports. */
const char *kmem_item_name(enum kmem_item item);
const char *kmem_cache_name(enum kmem_cache_id id);

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

/*
 * Figures between snapshots: @sign * (@b - @a) summed into @f, item by
 * item and slab cache by cache (a cache missing from either snapshot
 * marks no_cache), then scaled to a unit.
 */
struct kmem_fig {
	s64 item[KMEM_NR_ITEMS];
	s64 objs[KMEM_NR_CACHES];	/* slabinfo active objects */
	u64 objsize[KMEM_NR_CACHES];
	bool no_cache[KMEM_NR_CACHES];	/* not in /proc/slabinfo */
};

void kmem_fig_add(struct kmem_fig *f, const struct kmem_snapshot *a,
		  const struct kmem_snapshot *b, int sign);
/* @v / @div, and per GiB of @per_gib_of bytes unless that is 0. */
s64 kmem_scale(s64 v, s64 div, u64 per_gib_of);
void kmem_fig_scale(struct kmem_fig *f, s64 div, u64 per_gib_of);

/* Median, minimum and maximum of repeated measurements. */
struct kmem_spread {
	s64 median, min, max;
	unsigned int n;
};

void kmem_spread(const s64 *v, unsigned int n, struct kmem_spread *sp);

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

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Measuring what KVM costs in kernel memory, scenario by scenario: N VMs
 * created at once in the test's memory cgroup (lib/kmem_cg.h), the
 * difference divided into the scenario's unit, over several
 * create/destroy rounds, and what the rounds left behind.  The kmem test
 * is the list of scenarios and what their figures are held to.
 *
 *   struct kmem_meter m = { .cg = &cg, .plat = plat };
 *   kmem_warm_up(scenarios, n);     // one-time allocations out of the way
 *   kmem_scenario_run(&m, &scenarios[i], &r);
 *   if (r.skip) ...                 // the backing or nesting is missing
 *   per_vm = r.fig[k].item[KMEM_KVM];
 */
#ifndef KMT_KMEM_MEASURE_H
#define KMT_KMEM_MEASURE_H

#include "kmem.h"
#include "kmem_cg.h"
#include "mem.h"
#include "platform.h"

#define KMEM_MAX_ROUNDS		4
#define KMEM_MAX_CALLERS	256

enum kmem_unit { KMEM_PER_VM, KMEM_PER_VCPU, KMEM_PER_GIB };

/* "per VM", "per vCPU", "per GiB mapped" */
extern const char *const kmem_unit_names[];

struct kmem_scenario {
	const char *name;	/* the key in budgets and records */
	const char *configs;	/* of kmem's in tests/tests.cfg, where it is measured */
	const char *what;
	enum kmem_unit unit;
	u32 nr_vms;		/* alive at once */
	u32 rounds;		/* create/destroy loops */
	u32 nr_vcpus;		/* KMEM_PER_VCPU: grown from 1 to this */
	enum mem_backing backing; /* KMEM_PER_GIB: the data slot */
	u64 slot_size;
	u64 slot_gpa;
	u64 guest_page;		/* the guest's own mapping of the slot */
	bool nested;		/* KMEM_PER_VM: L2 maps the slot; dirty logging on */
};

struct kmem_result {
	struct kmem_fig fig[KMEM_MAX_ROUNDS];
	s64 meta[KMEM_MAX_ROUNDS];	/* KMEM_PER_GIB: of which memslot metadata */
	s64 whole_vm[KMEM_MAX_ROUNDS]; /* KMEM_PER_VCPU: a VM with all its vCPUs */
	u32 rounds;
	struct kmem_fig leak;	/* bytes left after all rounds */
	u32 vms_total;
	const char *skip;
	u64 huge;		/* nested: huge mappings before the split, */
	u64 huge_want;		/* how many L2's NPT asked for, */
	u64 unsplit;		/* and how many the split left */
	/* /proc/vmallocinfo by caller before the first and after the last round */
	struct kmem_vmalloc_caller vm0[KMEM_MAX_CALLERS], vm1[KMEM_MAX_CALLERS];
	int nr_vm0, nr_vm1;
};

/* What a measurement runs with. */
struct kmem_meter {
	struct kmem_cg *cg;
	const struct kvm_platform *plat;	/* nested scenarios */
	char why[256];				/* the reason behind a skip */
};

/* All rounds of @sc into @r; r->skip says why it could not run. */
void kmem_scenario_run(struct kmem_meter *m, const struct kmem_scenario *sc,
		       struct kmem_result *r);
/*
 * Idle VMs, as many at once as any of @all keeps alive, created and
 * destroyed before the first measurement.
 */
void kmem_warm_up(const struct kmem_scenario *all, u32 nr);

#endif

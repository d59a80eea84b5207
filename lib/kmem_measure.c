// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guest.h"
#include "kmem_measure.h"
#include "nested.h"
#include "stats.h"
#include "tap.h"
#include "test_util.h"
#include "worker.h"

GUEST_PROGRAM_DECLARE(mem_worker);

#define SLOT		1
#define L2_GPA		0x40000000ULL	/* nested: L2's view of the slot */
#define MAX_VMS		8

const char *const kmem_unit_names[] = {
	[KMEM_PER_VM] = "per VM",
	[KMEM_PER_VCPU] = "per vCPU",
	[KMEM_PER_GIB] = "per GiB mapped",
};

struct vm_set {
	struct kvm_vm *vm[MAX_VMS];
	struct kvm_vcpu *vcpu[MAX_VMS];
	struct nested_l2 l2[MAX_VMS];
	u32 n;
};

static void vms_create(const struct kmem_scenario *sc, struct vm_set *set)
{
	struct guest_program prog = GUEST_PROGRAM(mem_worker);
	u32 i, pages = (u32)(sc->slot_size / PAGE_SIZE_4K);

	set->n = sc->nr_vms;
	for (i = 0; i < set->n; i++) {
		set->vm[i] = vm_create_guest(PAGING_LM4, &prog,
					     LAYOUT_RUNTIME_END);
		set->vcpu[i] = vm_guest_vcpu_add(set->vm[i], 0);
		worker_start(set->vcpu[i], sc->slot_gpa, pages);
	}
}

static void vms_destroy(struct vm_set *set)
{
	u32 i;

	for (i = 0; i < set->n; i++)
		vm_destroy(set->vm[i]);
	set->n = 0;
}

/* vCPUs 1..nr_vcpus-1 of every VM, each run to the worker's first SYNC. */
static void vms_grow_vcpus(const struct kmem_scenario *sc, struct vm_set *set)
{
	u32 i, id;

	for (i = 0; i < set->n; i++) {
		for (id = 1; id < sc->nr_vcpus; id++)
			worker_start(vm_guest_vcpu_add(set->vm[i], id), 0, 0);
	}
}

static bool vms_add_slot(const struct kmem_scenario *sc, struct vm_set *set,
			 bool map, char *why, size_t why_size)
{
	u64 off;
	u32 i;

	for (i = 0; i < set->n; i++) {
		struct kvm_vm *vm = set->vm[i];

		if (__vm_add_memslot(vm, SLOT, sc->slot_gpa, sc->slot_size,
				     sc->backing, 0, why, why_size))
			return false;
		for (off = 0; map && off < sc->slot_size; off += sc->guest_page)
			pg_map(&vm->pt, sc->slot_gpa + off, sc->slot_gpa + off,
			       sc->guest_page, PTE_W);
	}
	return true;
}

static void vms_delete_slot(struct vm_set *set)
{
	u32 i;

	for (i = 0; i < set->n; i++)
		vm_delete_memslot(set->vm[i], SLOT);
}

/* @cmd on every VM's vCPU 0: the worker's FILL touches every slot page. */
static bool vms_cmd(struct vm_set *set, u32 cmd)
{
	u32 i;

	for (i = 0; i < set->n; i++)
		if (!worker_cmd(set->vcpu[i], cmd, 1, NULL, 0))
			return false;
	return true;
}

/*
 * L1 (lib/nested.h: SVM or VMX by the vendor) with the slot in its
 * memory, L2 mapping all of it through L1's NPT/EPT with 2 MiB pages and
 * writing every page: KVM's nested MMU then holds 2 MiB SPTEs for L2 in
 * the shadow MMU's rmaps.
 */
static bool vms_create_nested(const struct kvm_platform *plat,
			      const struct kmem_scenario *sc, struct vm_set *set,
			      char *why, size_t why_size)
{
	struct guest_program prog = nested_program(plat);
	u32 pages = (u32)(sc->slot_size / PAGE_SIZE_4K);

	for (set->n = 0; set->n < sc->nr_vms; set->n++) {
		struct nested_regs regs = { L2_GPA, pages, 1, 0 };
		struct kvm_vm *vm = vm_create_guest(PAGING_LM4, &prog,
						    LAYOUT_RUNTIME_END);
		struct nested_l2 *l2 = &set->l2[set->n];
		struct nested_exit x;

		if (__vm_add_memslot(vm, SLOT, sc->slot_gpa, sc->slot_size,
				     sc->backing, 0, why, why_size)) {
			vm_destroy(vm);
			return false;
		}
		set->vm[set->n] = vm;
		set->vcpu[set->n] = vm_guest_vcpu_add(vm, 0);
		nested_l2_init(l2, plat, set->vcpu[set->n]);
		nested_l2_map(l2, L2_GPA, sc->slot_gpa, sc->slot_size,
			      sc->guest_page);
		TEST_ASSERT(nested_l2_run(l2, L2_FILL, &regs, &x) && !x.rax,
			    "L2 could not fill its slot");
	}
	return true;
}

/* ---- one round -------------------------------------------------------------- */

/*
 * Per GiB mapped: memslot metadata (slot added, nothing touched: s0->s1)
 * plus what deleting the touched slot frees (s2->s3) less what deleting
 * it untouched frees (s4->s5).  A memslot deletion zaps every shadow/TDP
 * page (kvm_mmu_zap_all_fast()), those mapping the runtime region too,
 * hence the second deletion.  The difference of two kernel memory figures
 * across the guest's faults would not do: each fault may refill the
 * vCPU's MMU memory caches to 40 objects, so they hold anything from 5 to
 * 40 pages at a snapshot; a deletion leaves them alone.
 */
static bool round_map(struct kmem_meter *m, const struct kmem_scenario *sc,
		      struct vm_set *set, struct kmem_fig *f, s64 *meta)
{
	struct kmem_snapshot s[6];
	struct kmem_fig slot_meta = { 0 };

	kmem_settle(m->cg, &s[0]);
	if (!vms_add_slot(sc, set, true, m->why, sizeof(m->why)))
		return false;
	kmem_settle(m->cg, &s[1]);
	TEST_ASSERT(vms_cmd(set, WORKER_FILL),
		    "the guest could not touch its slot");
	kmem_settle(m->cg, &s[2]);
	vms_delete_slot(set);
	kmem_settle(m->cg, &s[3]);
	/*
	 * An empty list: the guest only faults the runtime region back in.
	 * Then the same slot again, untouched.
	 */
	TEST_ASSERT(vms_cmd(set, WORKER_VERIFY_LIST), "the guest did not run");
	TEST_ASSERT(vms_add_slot(sc, set, false, m->why, sizeof(m->why)),
		    "adding the slot again: %s", m->why);
	kmem_settle(m->cg, &s[4]);
	vms_delete_slot(set);
	kmem_settle(m->cg, &s[5]);
	kmem_fig_add(&slot_meta, &s[0], &s[1], 1);
	*meta = kmem_scale(slot_meta.item[KMEM_KVM], set->n, sc->slot_size);
	kmem_fig_add(f, &s[0], &s[1], 1);
	kmem_fig_add(f, &s[3], &s[2], 1);
	kmem_fig_add(f, &s[5], &s[4], -1);
	return true;
}

/*
 * The VM-wide split caches: enabling dirty logging on the slot makes
 * eager page splitting (kvm_mmu_slot_try_split_huge_pages() ->
 * shadow_mmu_try_split_huge_pages()) top up split_desc_cache,
 * split_page_header_cache and split_shadow_page_cache
 * (topup_split_caches()) and split L2's huge mappings with them.  What
 * that ioctl costs, per VM.
 */
static void round_nested(struct kmem_meter *m, const struct kmem_scenario *sc,
			 struct vm_set *set, struct kmem_fig *f, struct kmem_result *r)
{
	struct kmem_snapshot s0, s1;
	u32 i;

	/* No huge SPTE to split, no topup: the figure would mean nothing. */
	for (i = 0; i < set->n; i++)
		r->huge += vm_stat(set->vm[i], "pages_2m");
	r->huge_want += set->n * (sc->slot_size / PAGE_SIZE_2M);
	kmem_settle(m->cg, &s0);
	for (i = 0; i < set->n; i++)
		vm_set_memslot_flags(set->vm[i], SLOT, KVM_MEM_LOG_DIRTY_PAGES);
	kmem_settle(m->cg, &s1);
	kmem_fig_add(f, &s0, &s1, 1);
	for (i = 0; i < set->n; i++)
		r->unsplit += vm_stat(set->vm[i], "pages_2m");
}

/*
 * KMEM_PER_VM: VMs created and run once (nested: round_nested()).  KMEM_PER_VCPU:
 * VMs grown from one vCPU to nr_vcpus.  KMEM_PER_GIB: round_map().  Returns
 * false (with r->skip) if the scenario cannot run here.
 */
static bool round_measure(struct kmem_meter *m, const struct kmem_scenario *sc,
			  struct kmem_result *r)
{
	struct kmem_snapshot pre, s0, s1;
	struct vm_set set = { .n = 0 };
	struct kmem_fig *f = &r->fig[r->rounds];
	s64 div = sc->nr_vms;

	memset(f, 0, sizeof(*f));
	if (sc->nested) {
		if (!vms_create_nested(m->plat, sc, &set, m->why,
				       sizeof(m->why))) {
			vms_destroy(&set);
			r->skip = m->why;
			return false;
		}
		round_nested(m, sc, &set, f, r);
		goto done;
	}
	if (sc->unit != KMEM_PER_GIB)
		kmem_settle(m->cg, &pre);
	vms_create(sc, &set);
	if (sc->unit == KMEM_PER_VM) {
		kmem_settle(m->cg, &s1);
		kmem_fig_add(f, &pre, &s1, 1);
	} else if (sc->unit == KMEM_PER_VCPU) {
		kmem_settle(m->cg, &s0);
		vms_grow_vcpus(sc, &set);
		kmem_settle(m->cg, &s1);
		kmem_fig_add(f, &s0, &s1, 1);
		div *= sc->nr_vcpus - 1;
		r->whole_vm[r->rounds] = kmem_delta(&pre, &s1, KMEM_KVM) / set.n;
	} else if (!round_map(m, sc, &set, f, &r->meta[r->rounds])) {
		vms_destroy(&set);
		r->skip = m->why;
		return false;
	}
done:
	kmem_fig_scale(f, div, sc->unit == KMEM_PER_GIB ? sc->slot_size : 0);
	vms_destroy(&set);
	r->vms_total += sc->nr_vms;
	r->rounds++;
	return true;
}

void kmem_scenario_run(struct kmem_meter *m, const struct kmem_scenario *sc,
			 struct kmem_result *r)
{
	struct kmem_snapshot first, last;
	struct timespec t0, t1;
	u32 i;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	kmem_settle(m->cg, &first);
	r->nr_vm0 = kmem_vmalloc_read(r->vm0, KMEM_MAX_CALLERS);
	for (i = 0; i < sc->rounds && i < KMEM_MAX_ROUNDS; i++)
		if (!round_measure(m, sc, r))
			return;
	if (!kmem_settle(m->cg, &last))
		tap_diag("%s: kernel memory still moving after the VMs were destroyed",
			 sc->name);
	kmem_fig_add(&r->leak, &first, &last, 1);
	r->nr_vm1 = kmem_vmalloc_read(r->vm1, KMEM_MAX_CALLERS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_diag("%s: %u rounds in %.2f s", sc->name, r->rounds,
		 (double)(t1.tv_sec - t0.tv_sec) +
		 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
}

/*
 * One-time allocations stay out of the figures and the leak checks: idle
 * VMs, as many at once as any scenario keeps alive.  Not one VM: the
 * per-CPU allocator (mm/percpu.c) grows a chunk when the live VMs need
 * more per-CPU memory than its chunks have free (SRCU's per-CPU data,
 * stat counters), vmallocs the chunk's maps without __GFP_ACCOUNT
 * (pcpu_mem_zalloc(): 4.15 MiB under Bochs) and keeps
 * the emptied chunk as its spare (pcpu_balance_free()).  A warm-up of one
 * VM left that to the first 8-VM round, so the idle loop's system-wide
 * vmalloc figure grew by the chunk although nothing leaked.
 */
void kmem_warm_up(const struct kmem_scenario *all, u32 nr)
{
	struct kmem_scenario warm = all[0];
	struct vm_set set;
	u32 i;

	for (i = 0; i < nr; i++)
		if (all[i].nr_vms > warm.nr_vms)
			warm.nr_vms = all[i].nr_vms;
	vms_create(&warm, &set);
	vms_destroy(&set);
}

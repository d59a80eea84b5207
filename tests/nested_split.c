// SPDX-License-Identifier: GPL-2.0-only
/*
 * Eager page splitting and dirty logging on the nested MMU (L1 runs L2
 * with nested paging: AMD NPT, or Intel EPT, by the CPU's vendor; under
 * the harness QEMU emulates the one, Bochs the other).
 *
 * Guards arch/x86/kvm/mmu/mmu.c: the shadow-MMU split of huge pages
 * mapped for L2 (shadow_mmu_try_split_huge_pages, shadow_mmu_split_huge_page,
 * the split caches topped up by topup_split_caches(), split_desc_cache for
 * the rmap lists of L1 pages that several L2 pages alias), and dirty
 * logging of L2 writes at the right L1 gfns.  Bug classes: a split that
 * points a child at the wrong page, an rmap entry dropped while splitting
 * (a later write-protect misses that mapping, so a dirty page goes
 * unreported), splits skipped.  See shared/seed-eager-split-cleanups.txt,
 * patch 3.  KVM's pages_2m statistic shows the nested MMU's huge
 * mappings.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dirty_log.h"
#include "guest.h"
#include "kvm_test.h"
#include "nested.h"
#include "rand.h"
#include "stats.h"
#include "tap.h"
#include "test_util.h"

#define SLOT		1
#define L1_GPA		(1ULL << 30)
#define SLOT_SIZE	(64ULL << 20)
#define NR_PAGES	((u32)(SLOT_SIZE / PAGE_SIZE_4K))
#define NR_HUGE		((u32)(SLOT_SIZE / PAGE_SIZE_2M))
#define L2_GPA		0x40000000ULL
#define L2_ALIAS	0x80000000ULL
#define ROUNDS		3
#define PER_ROUND	300

struct nested_test {
	struct kvm_vm *vm;
	struct nested_l2 l2;
	bool alias;
	bool eager;
	u32 gen;
	u64 bitmap[NR_PAGES / 64];
	struct rng rng;
	const char *name;
};

static bool l2_do(struct nested_test *t, enum l2_entry e, u64 base,
		  u64 list_gpa, u32 count)
{
	struct nested_regs r = { base, count, t->gen, list_gpa };
	struct nested_exit x;

	if (!nested_l2_run(&t->l2, e, &r, &x))
		return false;
	if (x.rax) {
		u32 page = (u32)r.rdi;

		tap_diag("L2 at 0x%" PRIx64 ": page %u (L1 GPA 0x%" PRIx64 ") holds 0x%08x, expected 0x%08x",
			 base, page, (u64)(L1_GPA + page * PAGE_SIZE_4K),
			 *(u32 *)gpa_to_hva(t->vm, L1_GPA + page * PAGE_SIZE_4K),
			 l2_pattern(page, t->gen));
		return false;
	}
	return true;
}

static bool l2_fill_verify(struct nested_test *t, bool fill)
{
	enum l2_entry e = fill ? L2_FILL : L2_VERIFY;

	if (fill)
		t->gen++;
	return l2_do(t, e, L2_GPA, 0, NR_PAGES) &&
	       (!t->alias || l2_do(t, L2_VERIFY, L2_ALIAS, 0, NR_PAGES));
}

static bool setup(struct nested_test *t, bool alias,
		  const struct kvm_platform *plat)
{
	struct guest_program prog = nested_program(plat);
	char why[256];

	memset(t, 0, sizeof(*t));
	t->alias = alias;
	t->name = alias ? "nested, L2 aliases" : "nested";
	t->eager = plat->eager_split;
	rng_seed(&t->rng, 7);
	t->vm = vm_create_guest(PAGING_LM4, &prog, LAYOUT_RUNTIME_END);
	if (__vm_add_memslot(t->vm, SLOT, L1_GPA, SLOT_SIZE, MEM_HUGETLB_2M, 0,
			     why, sizeof(why))) {
		tap_skip(why, "%s: memslot", t->name);
		vm_destroy(t->vm);
		return false;
	}
	nested_l2_init(&t->l2, plat, vm_guest_vcpu_add(t->vm, 0));
	nested_l2_map(&t->l2, L2_GPA, L1_GPA, SLOT_SIZE, PAGE_SIZE_2M);
	if (alias)
		nested_l2_map(&t->l2, L2_ALIAS, L1_GPA, SLOT_SIZE, PAGE_SIZE_2M);
	return true;
}

/* L2 writes random pages (through the alias too); all must be dirty. */
static void dirty_rounds(struct nested_test *t)
{
	u32 list[PER_ROUND], round, i, missed = 0;
	u64 list_gpa, l2_base;
	char when[64];

	for (round = 0; round < ROUNDS; round++) {
		vm_get_dirty_log(t->vm, SLOT, t->bitmap);
		for (i = round ? PER_ROUND / 3 : 0; i < PER_ROUND; i++)
			list[i] = (u32)rng_below(&t->rng, NR_PAGES);
		vm_arena_reset(t->vm);
		list_gpa = vm_arena_alloc(t->vm, sizeof(list));
		memcpy(gpa_to_hva(t->vm, list_gpa), list, sizeof(list));
		t->gen++;
		l2_base = t->alias && (round & 1) ? L2_ALIAS : L2_GPA;
		if (!l2_do(t, L2_WRITE_LIST, l2_base, list_gpa, PER_ROUND)) {
			tap_check(false, "%s: L2 writes each round", t->name);
			return;
		}
		dirty_log_fetch(t->vm, SLOT, t->bitmap, NR_PAGES, false);
		snprintf(when, sizeof(when), "round %u, L2 wrote through %s", round,
			 l2_base == L2_ALIAS ? "the alias" : "its first mapping");
		missed += dirty_log_missed(t->bitmap, list, PER_ROUND, L1_GPA, when);
	}
	tap_measured("%u missed", missed);
	tap_check(!missed,
		  "%s: %u rounds of %u L2 writes: every page dirty at its L1 gfn",
		  t->name, ROUNDS, PER_ROUND);
}

static void scenario(bool alias, const struct kvm_platform *plat)
{
	struct nested_test t;
	u32 expect_huge, children;
	u64 huge, small0, small;

	if (!setup(&t, alias, plat))
		return;
	expect_huge = NR_HUGE * (alias ? 2 : 1);
	/*
	 * A split child is a direct shadow page, found again by (L1 gfn,
	 * role): aliases share it when their access is the same.  They
	 * differ when the guest's nested paging has dirty bits (NPT; EPT
	 * with A/D), as L2 only reads through the alias, which stays clean.
	 */
	children = expect_huge;
	if (alias && !t.l2.ad) {
		children = NR_HUGE;
		tap_diag("EPT without A/D bits: the aliases share their split children");
	}
	if (!tap_check(l2_fill_verify(&t, true), "%s: L2 filled the slot", t.name))
		goto out;
	huge = vm_stat(t.vm, "pages_2m");
	vm_mappings_diag(t.vm, "%s after L2 touched the slot", t.name);
	tap_measured("pages_2m %" PRIu64 ", expected %u", huge, expect_huge);
	tap_check(huge == expect_huge,
		  "%s: the nested MMU maps L2's 2 MiB %s pages huge",
		  t.name, nested_npt_name(plat));
	small0 = vm_stat(t.vm, "pages_4k");
	vm_set_memslot_flags(t.vm, SLOT, KVM_MEM_LOG_DIRTY_PAGES);
	huge = vm_stat(t.vm, "pages_2m");
	small = vm_stat(t.vm, "pages_4k");
	vm_mappings_diag(t.vm, "%s right after enabling dirty logging", t.name);
	if (t.eager) {
		tap_measured("%u huge mappings; now pages_2m %" PRIu64 ", pages_4k +%" PRIu64 ", expected +%u",
			     expect_huge, huge, small - small0, children * 512);
		tap_check(huge == 0 && small - small0 == children * 512ULL,
			  "%s: eager split: all split before L2 runs again", t.name);
	} else {
		tap_measured("pages_2m %" PRIu64 ", expected %u", huge, expect_huge);
		tap_check(huge == expect_huge,
			  "%s: no eager split: dirty logging on splits nothing", t.name);
	}
	tap_check(l2_fill_verify(&t, false),
		  "%s: every 4 KiB page still holds its data after the split", t.name);
	dirty_rounds(&t);
	tap_check(l2_fill_verify(&t, true) && l2_fill_verify(&t, false),
		  "%s: L2 rewrites and verifies the whole slot", t.name);
	vm_mappings_diag(t.vm, "%s at the end", t.name);
	nested_l2_finish(&t.l2);
out:
	vm_destroy(t.vm);
}

int main(int argc, char **argv)
{
	static const struct kvm_test test = {
		.summary = "Eager page splitting and dirty logging of L2's memory on the nested MMU lose nothing.",
	};
	struct kvm_platform plat;
	char why[256];

	kvm_test_start(argc, argv, &test, &plat);
	if (!nested_supported(&plat, why, sizeof(why)))
		tap_skip_all("%s", why);
	tap_diag("L1 runs L2 under %s", nested_name(&plat));
	scenario(false, &plat);
	scenario(true, &plat);
	return tap_finish();
}

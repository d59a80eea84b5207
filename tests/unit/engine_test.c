// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the engine's shrinker and reproducer lines
 * (lib/engine_shrink.c) and of its sparse mirror (lib/engine_predict.c,
 * lib/engine_emit.c: a GiB memslot mirrored only where it was populated),
 * no KVM needed.
 *
 * A failing fuzz run is only as useful as its reproducer: the shrinker
 * must end with a list that still fails and from which no single step can
 * go (1-minimal), and the printed lines must parse back to the same steps,
 * or --replay reruns something else.  The failure here is synthetic: a
 * run "fails" when it holds every step of a hidden set, in order; a second
 * predicate fails on either of two steps alone.
 */
#include <string.h>
#include <sys/mman.h>

#include "engine.h"
#include "tap.h"
#include "test_util.h"

struct needle {
	const u64 *vals;
	u32 n;
	bool any;	/* fails when any one is present, else all in order */
	u32 trials;
};

static bool fails(void *opaque, const struct eng_steps *steps, bool verbose)
{
	struct needle *nd = opaque;
	u32 i, k = 0;

	(void)verbose;
	nd->trials++;
	for (i = 0; i < steps->nr && k < nd->n; i++) {
		if (nd->any) {
			for (k = 0; k < nd->n; k++)
				if (steps->v[i].val == nd->vals[k])
					return true;
			k = 0;
		} else if (steps->v[i].val == nd->vals[k]) {
			k++;
		}
	}
	return !nd->any && k == nd->n;
}

static void fill(struct eng_steps *l, u32 n)
{
	struct eng_step st = { .kind = STEP_ACCESS, .code = OP_READ32 };
	u32 i;

	for (i = 0; i < n; i++) {
		st.va = 0x1000ULL * i;
		st.val = i;
		eng_steps_push(l, &st);
	}
}

static void test_all_of(void)
{
	static const u64 vals[] = { 17, 402, 403, 950 };
	struct needle nd = { vals, ARRAY_SIZE(vals), false, 0 };
	struct eng_steps l = { 0 };
	bool exact = true;
	u32 i;

	fill(&l, 1000);
	eng_shrink(&l, fails, &nd, 5000, 60);
	exact = l.nr == ARRAY_SIZE(vals);
	for (i = 0; exact && i < l.nr; i++)
		exact = l.v[i].val == vals[i] && l.v[i].va == 0x1000ULL * vals[i];
	tap_check(exact, "1000 steps shrink to the 4 that fail together, in order (%u left, %u trials)",
		  l.nr, nd.trials);
	eng_steps_free(&l);
}

static void test_any_of(void)
{
	static const u64 vals[] = { 333, 777 };
	struct needle nd = { vals, ARRAY_SIZE(vals), true, 0 };
	struct eng_steps l = { 0 };

	fill(&l, 1000);
	eng_shrink(&l, fails, &nd, 5000, 60);
	tap_check(l.nr == 1 && (l.v[0].val == 333 || l.v[0].val == 777),
		  "a failure either of two steps causes shrinks to one of them (%u left)",
		  l.nr);
	eng_steps_free(&l);
}

static void test_budget(void)
{
	static const u64 vals[] = { 1, 500, 998 };
	struct needle nd = { vals, ARRAY_SIZE(vals), false, 0 };
	struct eng_steps l = { 0 };

	fill(&l, 1000);
	eng_shrink(&l, fails, &nd, 10, 60);
	tap_check(nd.trials <= 10 && fails(&nd, &l, false),
		  "the trial budget holds (%u trials) and the result still fails (%u steps)",
		  nd.trials, l.nr);
	eng_steps_free(&l);
}

static void test_lines(void)
{
	const struct eng_step in[] = {
		{ STEP_ACCESS, OP_USER_WRITE32, 0, 0, 0xfffff000ULL, 0 },
		{ STEP_HOST_PDE, 0, 7, 1, 0, 0x80000000004000e7ULL },
		{ STEP_EVENT, EV_DIRTY_GET, 1, 0, 0x10000000ULL, 0x3000 },
		{ STEP_READ_ENTRY, 0, 2, 0, 0x7fc000001234ULL, 0 },
		{ STEP_VCPU1, OP_INVLPG, 3, 1, 0x4ebdd3c4ULL, 0 },
		{ STEP_EVENT, EV_DIRTY_CLEAR, 1, 0, 0x8931524c7cea92cbULL,
		  0x6a7c2cb60c65708ULL },
		{ STEP_EVENT, EV_COLLAPSE, 1, 0, 0xffffffffffffffffULL, 7 },
		{ STEP_CR4, 0, 1, 0, 0, 1 },
		{ STEP_AC, 0, 0, 0, 0, 1 },
		{ STEP_PROBE, 0x324280, 7, 0x84, 0x194, 0x8000000000801025ULL },
		{ STEP_UPPER_PERM, 0, 3, 4, 0, PTE_U },
	};
	struct eng_step out;
	char line[256];
	bool ok = true;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(in); i++) {
		eng_step_format(&in[i], line, sizeof(line));
		ok &= eng_step_parse(line, &out) && !memcmp(&in[i], &out, sizeof(out));
	}
	ok &= !eng_step_parse("ACCESS 1 0", &out);
	ok &= !eng_step_parse("ACCESS 1 0 0 1000 0 junk", &out);
	ok &= !eng_step_parse("BOGUS 1 0 0 0 0", &out);
	tap_check(ok, "reproducer lines parse back to the same steps; malformed ones are refused");
}

/*
 * A small slot copied whole, a GiB slot in the sparse range not read at
 * all (a page the host wrote there stays zero in the mirror: the caller
 * copies what it populated), and the tagged pages of that range: one per
 * stride, inside it, at a different offset of their 2 MiB each.
 */
static void test_sparse_mirror(void)
{
	static u8 small[64 << 10];
	struct kvm_vm vm = { 0 };
	struct prediction p;
	struct ptgen g = { 0 };
	u64 lo = PAGE_SIZE_1G + PAGE_SIZE_2M, hi = 2 * PAGE_SIZE_1G, pa;
	u8 *big = mmap(NULL, PAGE_SIZE_1G, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	bool ok = true;
	u32 k;

	TEST_ASSERT(big != MAP_FAILED, "mmap: %m");
	memset(small, 0x5a, sizeof(small));
	memset(big + PAGE_SIZE_4K, 0xa5, PAGE_SIZE_4K);
	vm.slots[0] = (struct kvm_memslot){ .used = true, .gpa = 0,
		.mem = { .hva = small, .size = sizeof(small) } };
	vm.slots[3] = (struct kvm_memslot){ .used = true, .slot = 3, .gpa = lo,
		.mem = { .hva = big, .size = PAGE_SIZE_1G } };
	predict_begin_sparse(&vm, &vm.pt, 0, &p, lo, hi);
	tap_measured("size 0x%llx, expected 0x%llx",
		     (unsigned long long)p.size,
		     (unsigned long long)(lo + PAGE_SIZE_1G));
	tap_check(p.size == lo + PAGE_SIZE_1G, "the mirror spans every memslot");
	ok = !memcmp(p.mirror, small, sizeof(small)) &&
	     p.mirror[lo + PAGE_SIZE_4K] == 0 &&
	     p.mirror[hi + PAGE_SIZE_4K] == 0;
	tap_check(ok, "a slot below the sparse range is copied, the sparse range is not");
	prediction_free(&p);

	g.area.sparse_lo = lo;
	g.area.sparse_hi = hi;
	ok = true;
	for (k = 0; (pa = ptgen_sparse_page(&g, k)); k++)
		ok &= pa >= lo && pa + PAGE_SIZE_4K <= hi &&
		      !(pa % PAGE_SIZE_4K) &&
		      (pa - lo) / ENG_SPARSE_STRIDE == k &&
		      (k == 0 || (pa % PAGE_SIZE_2M) !=
		       (ptgen_sparse_page(&g, k - 1) % PAGE_SIZE_2M));
	tap_measured("%u pages, stride %llu MiB", k, ENG_SPARSE_STRIDE >> 20);
	tap_check(ok && k == (hi - lo + ENG_SPARSE_STRIDE - 1) / ENG_SPARSE_STRIDE,
		  "tagged pages: one per stride, inside the range, each at another 4 KiB of its 2 MiB");
	munmap(big, PAGE_SIZE_1G);
}

int main(void)
{
	tap_init(stdout);
	test_sparse_mirror();
	test_lines();
	test_all_of();
	test_any_of();
	test_budget();
	return tap_finish();
}

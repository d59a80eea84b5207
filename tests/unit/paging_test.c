// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of lib/paging.c, without KVM: the builders against the
 * reference walkers, in every paging mode.
 *
 * The walker is the oracle of every KVM test, so it is checked two ways:
 * known answers worked out by hand from the SDM/APM (entry encodings, PSE-36,
 * error codes), and thousands of random mappings (all page sizes, random
 * permissions) whose translations and faults must come back exactly.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "abi/layout.h"
#include "paging.h"
#include "rand.h"
#include "tap.h"
#include "test_util.h"

#define POOL_SIZE	(32ULL << 20)
#define NR_RANDOM	2000

struct fake_mem {
	u8 *buf;
	u64 next;
};

static void *fake_hva(void *opaque, u64 pa)
{
	struct fake_mem *m = opaque;

	return pa < POOL_SIZE ? m->buf + pa : NULL;
}

static u64 fake_alloc(void *opaque)
{
	struct fake_mem *m = opaque;
	u64 pa = m->next;

	TEST_ASSERT(pa + PAGE_SIZE_4K <= POOL_SIZE, "fake memory exhausted");
	m->next += PAGE_SIZE_4K;
	memset(m->buf + pa, 0, PAGE_SIZE_4K);
	return pa;
}

static void fake_pgtable(struct pgtable *pt, struct fake_mem *m,
			 enum paging_mode mode)
{
	struct pg_phys phys = { fake_hva, fake_alloc, m };

	m->next = PAGE_SIZE_4K;
	pg_init(pt, mode, &phys);
}

static bool expect_walk(const struct pgtable *pt, u64 va, u32 access,
			bool fault, u32 ec, u64 pa, const char *what)
{
	struct pg_walk w;
	char buf[1024];
	bool ok;

	pg_walk(pt, pt->root, va, access, false, &w);
	ok = w.fault == fault && (fault ? w.error_code == ec : w.pa == pa);
	if (!ok) {
		pg_walk_format(pt, &w, buf, sizeof(buf));
		tap_diag("expected %s 0x%" PRIx64 "\n%s",
			 fault ? "fault with error code" : "PA",
			 fault ? (u64)ec : pa, buf);
	}
	return tap_check(ok, "%s: %s", paging_mode_name(pt->mode), what);
}

/* Hand-worked entries for VA 0xc0401234 -> PA 0x12345234 (non-PAE). */
static void known_nonpae(struct fake_mem *m)
{
	struct pgtable pt;
	u64 pde, pte, pd = 0;

	fake_pgtable(&pt, m, PAGING_NONPAE);
	pd = pt.root;
	pg_map(&pt, 0xc0401000, 0x12345000, PAGE_SIZE_4K, PTE_W);
	pde = pg_read_entry(&pt, pd + 0x301 * 4);
	pte = pg_read_entry(&pt, (pde & ~0xfffULL) + 0x001 * 4);
	tap_check((pde & 0xfff) == 0x007 && pte == 0x12345003,
		  "nonpae: PDE[0x301] = table|P|W|U, PTE[1] = 0x12345003 (PDE 0x%" PRIx64 " PTE 0x%" PRIx64 ")",
		  pde, pte);
	expect_walk(&pt, 0xc0401234, 0, false, 0, 0x12345234,
		    "4 KiB translation");
	/* PSE-36: PA bit 32..39 live in PDE bits 13..20. */
	pg_map(&pt, 0x00800000, 0x3400c00000ULL, PAGE_SIZE_4M, 0);
	tap_check(pg_read_entry(&pt, pd + 2 * 4) == (0x00c00000 | 0x34 << 13 | 0x81),
		  "nonpae: PSE-36 PDE for PA 0x3400c00000 is 0x%" PRIx64,
		  pg_read_entry(&pt, pd + 2 * 4));
	expect_walk(&pt, 0x00abcdef, 0, false, 0, 0x3400ebcdefULL,
		    "4 MiB PSE-36 translation");
	expect_walk(&pt, 0x00abcdef, PFERR_W, true, PFERR_P | PFERR_W, 0,
		    "write to read-only 4 MiB page: error code P|W");
	expect_walk(&pt, 0x00abcdef, PFERR_U, true, PFERR_P | PFERR_U, 0,
		    "user read of supervisor page: error code P|U");
	expect_walk(&pt, 0x40000000, PFERR_W, true, PFERR_W, 0,
		    "write to unmapped VA: error code W");
	expect_walk(&pt, 0x00abcdef, PFERR_F, false, 0, 0x3400ebcdefULL,
		    "no NX in non-PAE: fetch allowed, no I/D bit");
	pg_write_entry(&pt, pd + 2 * 4, pg_read_entry(&pt, pd + 2 * 4) | 1 << 21);
	expect_walk(&pt, 0x00abcdef, 0, true, PFERR_P | PFERR_RSVD, 0,
		    "PDE bit 21 set: reserved-bit fault");
}

static void known_pae(struct fake_mem *m)
{
	struct pgtable pt;
	u64 pdpte;

	fake_pgtable(&pt, m, PAGING_PAE);
	pg_map(&pt, 0xc0201000, 0x7654321000ULL, PAGE_SIZE_4K, PTE_NX);
	pdpte = pg_read_entry(&pt, pt.root + 3 * 8);
	tap_check((pdpte & 0xfff) == PTE_P,
		  "pae: PDPTE[3] has only P set (0x%" PRIx64 ")", pdpte);
	expect_walk(&pt, 0xc0201abc, 0, false, 0, 0x7654321abcULL,
		    "4 KiB translation above 4 GiB PA");
	expect_walk(&pt, 0xc0201abc, PFERR_F, true, PFERR_P | PFERR_F, 0,
		    "fetch from NX page: error code P|I/D");
	pg_write_entry(&pt, pt.root + 3 * 8, pdpte | PTE_W);
	expect_walk(&pt, 0xc0201abc, 0, true, 0, 0,
		    "PDPTE with reserved R/W bit: #GP, not #PF");
}

static void known_lm(struct fake_mem *m, enum paging_mode mode)
{
	struct pgtable pt;

	fake_pgtable(&pt, m, mode);
	pg_map(&pt, 0x7fc040000000ULL, 0x80000000ULL, PAGE_SIZE_1G, PTE_W | PTE_U);
	pg_map(&pt, 0x200000, 0x600000, PAGE_SIZE_2M, 0);
	expect_walk(&pt, 0x7fc05abcdef0ULL, PFERR_W | PFERR_U, false, 0,
		    0x9abcdef0ULL, "1 GiB user-writable translation");
	expect_walk(&pt, 0x3fffff, PFERR_W, true, PFERR_P | PFERR_W, 0,
		    "supervisor write to read-only 2 MiB page with CR0.WP");
	pt.wp = false;
	expect_walk(&pt, 0x3fffff, PFERR_W, false, 0, 0x7fffff,
		    "supervisor write to read-only page without CR0.WP");
	pt.nxe = false;
	pg_write_entry(&pt, pg_entry_pa(&pt, pt.root, 0x200000, 2),
		       pg_make_entry(mode, 2, 0x600000, PTE_PS | PTE_NX));
	expect_walk(&pt, 0x200000, 0, true, PFERR_P | PFERR_RSVD, 0,
		    "NX bit without EFER.NXE: reserved-bit fault");
}

static bool expect_misconfig(const struct pgtable *pt, u64 gpa,
			     const char *what)
{
	struct pg_walk w;
	char buf[1024];
	bool ok;

	pg_walk(pt, pt->root, gpa, 0, false, &w);
	ok = w.fault && w.vector == VEC_EPT_MISCONFIG;
	if (!ok) {
		pg_walk_format(pt, &w, buf, sizeof(buf));
		tap_diag("expected an EPT misconfiguration\n%s", buf);
	}
	return tap_check(ok, "%s: misconfiguration", what);
}

/*
 * The EPT walker (SDM 29.3): R/W/X in bits 2:0 (the builders' P/W/U),
 * the violation's qualification bits 5:0 (access, then R/W/X of the walk
 * ANDed over every entry read), misconfigurations.
 */
static void known_ept(struct fake_mem *m)
{
	struct pgtable pt;
	u64 pde;

	fake_pgtable(&pt, m, PAGING_LM4);
	pt.ept = true;
	pt.maxphyaddr = 40;
	/* 4 KiB R/W/X (memory type WB in bits 5:3), 2 MiB read-only. */
	pg_map(&pt, 0x40001000, 0x123000, PAGE_SIZE_4K, PTE_W | PTE_U | 0x30);
	pg_map(&pt, 0x40200000, 0x600000, PAGE_SIZE_2M, 0x30);
	pg_map(&pt, 0x80000000, 0x40000000, PAGE_SIZE_1G, PTE_W | 0x30);
	expect_walk(&pt, 0x40001abc, PFERR_W, false, 0, 0x123abc,
		    "EPT: 4 KiB R/W/X translation");
	expect_walk(&pt, 0x4023456c, 0, false, 0, 0x63456c,
		    "EPT: read of a read-only 2 MiB page");
	expect_walk(&pt, 0x4023456c, PFERR_W, true,
		    EPTQ_WRITE | 1 << EPTQ_RWX_SHIFT, 0,
		    "EPT: write to read-only page: violation, write, R");
	expect_walk(&pt, 0x4023456c, PFERR_F, true,
		    EPTQ_FETCH | 1 << EPTQ_RWX_SHIFT, 0,
		    "EPT: fetch from non-executable page: violation, fetch, R");
	expect_walk(&pt, 0x80abcdec, PFERR_U | PFERR_W, false, 0, 0x40abcdec,
		    "EPT: 1 GiB R/W page, PFERR_U means nothing");
	expect_walk(&pt, 0x40003000, 0, true, EPTQ_READ, 0,
		    "EPT: read of a not-present GPA: violation, read, no R/W/X");
	pde = pg_entry_pa(&pt, pt.root, 0x40200000, 2);
	pg_write_entry(&pt, pde, pg_make_entry(PAGING_LM4, 2, 0x600000,
					       PTE_PS | 0x10));
	expect_misconfig(&pt, 0x40200000, "EPT: memory type 2 in a leaf");
	pg_write_entry(&pt, pde, (0x600000 | PTE_PS | 0x30 | PTE_W) & ~PTE_P);
	expect_misconfig(&pt, 0x40200000, "EPT: write without read");
	pg_write_entry(&pt, pde, 0x600000ULL | 1ULL << 45 | PTE_PS | 0x31);
	expect_misconfig(&pt, 0x40200000, "EPT: address bit above MAXPHYADDR");
	pg_write_entry(&pt, pde, 0x400000ULL | 0x8 | PTE_W | PTE_P);
	expect_misconfig(&pt, 0x40200000, "EPT: bit 3 of a non-leaf entry");
}

/*
 * SMEP, SMAP (with EFLAGS.AC) and CR0.WP on supervisor accesses (SDM vol.
 * 3, 4.6.1): a user-mode address is one with U=1 at every level.  Page
 * 0x400000: U=1 everywhere, read-only; 0x800000: supervisor leaf; 0xc00000:
 * leaf U=1 under a U=0 PDE (a supervisor-mode address all the same).
 */
static void known_smep_smap(struct fake_mem *m, enum paging_mode mode)
{
	const char *name = paging_mode_name(mode);
	struct pgtable pt;
	char what[160];
	u64 pde;

	fake_pgtable(&pt, m, mode);
	pg_map(&pt, 0x400000, 0x1000000, PAGE_SIZE_4K, PTE_U);
	pg_map(&pt, 0x800000, 0x1001000, PAGE_SIZE_4K, PTE_W);
	pg_map(&pt, 0xc00000, 0x1002000, PAGE_SIZE_4K, PTE_W | PTE_U);
	pde = pg_entry_pa(&pt, pt.root, 0xc00000, 2);
	pg_write_entry(&pt, pde, pg_read_entry(&pt, pde) & ~PTE_U);
	pt.smep = true;
#define KNOWN(va, access, fault, ec, text)				\
	do {								\
		snprintf(what, sizeof(what), "%s: %s", name, text);	\
		expect_walk(&pt, va, access, fault, ec,			\
			    fault ? 0 : 0x1000000 + (((va) >> 22) - 1) *	\
			    0x1000 + ((va) & 0xfff), what);			\
	} while (0)
	KNOWN(0x400010, PFERR_F, true, PFERR_P | PFERR_F,
	      "SMEP: supervisor fetch from a user page faults, I/D set");
	KNOWN(0x800010, PFERR_F, false, 0,
	      "SMEP: supervisor fetch from a supervisor page");
	KNOWN(0xc00010, PFERR_F, false, 0,
	      "SMEP: U=1 leaf under a U=0 PDE is a supervisor-mode address");
	KNOWN(0x400010, 0, false, 0, "SMEP alone: supervisor read of a user page");
	KNOWN(0x2000010, PFERR_F, true, PFERR_F,
	      "SMEP: a not-present fetch fault has I/D set (also non-PAE)");
	pt.smap = true;
	KNOWN(0x400010, 0, true, PFERR_P,
	      "SMAP, AC=0: supervisor read of a user page faults");
	KNOWN(0x400010, PFERR_W, true, PFERR_P | PFERR_W,
	      "SMAP, AC=0: supervisor write to a user page faults");
	KNOWN(0x400010, PFERR_U, false, 0, "SMAP: user read of a user page");
	KNOWN(0x800010, PFERR_W, false, 0,
	      "SMAP: supervisor write to a supervisor page");
	KNOWN(0xc00010, 0, false, 0,
	      "SMAP: U=1 leaf under a U=0 PDE is a supervisor-mode address");
	pt.ac = true;
	KNOWN(0x400010, 0, false, 0, "SMAP, AC=1: supervisor read of a user page");
	KNOWN(0x400010, PFERR_W, true, PFERR_P | PFERR_W,
	      "SMAP, AC=1, CR0.WP=1: supervisor write to a read-only user page faults");
	KNOWN(0x400010, PFERR_F, true, PFERR_P | PFERR_F,
	      "SMEP with AC=1: the fetch still faults");
	pt.wp = false;
	KNOWN(0x400010, PFERR_W, false, 0,
	      "SMAP, AC=1, CR0.WP=0: supervisor write to a read-only user page");
	pt.ac = false;
	KNOWN(0x400010, PFERR_W, true, PFERR_P | PFERR_W,
	      "SMAP, AC=0, CR0.WP=0: supervisor write to a user page faults");
	pt.smep = pt.smap = false;
	KNOWN(0x400010, PFERR_F, false, 0,
	      "no SMEP: supervisor fetch from a user page");
	KNOWN(0x2000010, PFERR_F, true, mode == PAGING_NONPAE ? 0 : PFERR_F,
	      "no SMEP: I/D in a fetch fault only where NX is on");
#undef KNOWN
}

struct mapping {
	u64 va, pa, size, flags;
};

static bool overlaps(const struct mapping *maps, int n, u64 va, u64 size)
{
	int i;

	for (i = 0; i < n; i++)
		if (va < maps[i].va + maps[i].size && maps[i].va < va + size)
			return true;
	return false;
}

static u64 random_size(const struct pgtable *pt, struct rng *r)
{
	u64 large = pg_level_size(pt->mode, 2);
	u64 r100 = rng_below(r, 100);

	if (r100 < 70)
		return PAGE_SIZE_4K;
	if (r100 < 95 || !pg_page_size_valid(pt, PAGE_SIZE_1G))
		return large;
	return PAGE_SIZE_1G;
}

static u64 random_flags(const struct pgtable *pt, struct rng *r)
{
	u64 f = rng_next(r) & (PTE_W | PTE_U | PTE_A | PTE_D | PTE_PWT);

	if (pt->nxe && (rng_next(r) & 1))
		f |= PTE_NX;
	return f;
}

/* The error code the walker must give for a mapping with @flags. */
static u32 expected_ec(const struct pgtable *pt, u64 flags, u32 access)
{
	bool nx = pt->nxe && (flags & PTE_NX);
	u32 bits = access & (PFERR_W | PFERR_U);

	if ((access & PFERR_F) && pt->nxe)
		bits |= PFERR_F;
	if (((access & PFERR_U) && !(flags & PTE_U)) ||
	    ((access & PFERR_W) && !(flags & PTE_W)) ||
	    ((access & PFERR_F) && nx))
		return PFERR_P | bits;
	return 0;
}

static void build_random(struct pgtable *pt, struct rng *r,
			 struct mapping *maps)
{
	u64 pa_limit = pt->mode == PAGING_NONPAE ? 1ULL << 40 : 1ULL << 46;
	int n = 0;

	while (n < NR_RANDOM) {
		u64 size = random_size(pt, r);
		u64 va = rng_below(r, pg_va_limit(pt->mode) / size) * size;
		u64 pa = rng_below(r, pa_limit / size) * size;

		if (pt->mode == PAGING_NONPAE && size == PAGE_SIZE_4K)
			pa &= 0xffffffffULL;
		if (overlaps(maps, n, va, size))
			continue;
		maps[n] = (struct mapping){ va, pa, size, random_flags(pt, r) };
		pg_map(pt, va, pa, size, maps[n].flags);
		n++;
	}
}

static const u32 accesses[] = { 0, PFERR_W, PFERR_U, PFERR_W | PFERR_U,
				PFERR_F };

static bool check_one(const struct pgtable *pt, u64 va, u32 access,
		      bool fault, u32 ec, u64 pa, u32 *bad)
{
	struct pg_walk w;
	char buf[1024];

	pg_walk(pt, pt->root, va, access, false, &w);
	if (w.fault == fault && (fault ? w.error_code == ec : w.pa == pa))
		return true;
	if ((*bad)++ < 5) {
		pg_walk_format(pt, &w, buf, sizeof(buf));
		tap_diag("expected %s 0x%" PRIx64 "\n%s",
			 fault ? "error code" : "PA", fault ? (u64)ec : pa, buf);
	}
	return false;
}

static void random_check(struct fake_mem *m, enum paging_mode mode, u64 seed)
{
	struct mapping *maps = calloc(NR_RANDOM, sizeof(*maps));
	const char *name = paging_mode_name(mode);
	u32 bad_mapped = 0, bad_unmapped = 0, nr_unmapped = 0;
	struct pgtable pt;
	struct rng r;
	unsigned int i, a;

	rng_seed(&r, seed);
	fake_pgtable(&pt, m, mode);
	build_random(&pt, &r, maps);
	for (i = 0; i < NR_RANDOM; i++) {
		for (a = 0; a < ARRAY_SIZE(accesses); a++) {
			u64 off = rng_below(&r, maps[i].size) & ~3ULL;
			u32 ec = expected_ec(&pt, maps[i].flags, accesses[a]);

			check_one(&pt, maps[i].va + off, accesses[a], ec != 0,
				  ec, maps[i].pa + off, &bad_mapped);
		}
	}
	while (nr_unmapped < NR_RANDOM) {
		u64 va = rng_below(&r, pg_va_limit(mode)) & ~3ULL;
		u32 access = accesses[rng_below(&r, ARRAY_SIZE(accesses))];
		u32 ec = access & (PFERR_W | PFERR_U);

		if (overlaps(maps, NR_RANDOM, va, 4))
			continue;
		if ((access & PFERR_F) && pt.nxe)
			ec |= PFERR_F;
		check_one(&pt, va, access, true, ec, 0, &bad_unmapped);
		nr_unmapped++;
	}
	tap_check(!bad_mapped,
		  "%s: %d random mappings (4 KiB, large, 1 GiB; random W/U/NX) translate and fault as their flags say, %zu accesses each (seed %" PRIu64 ", %u wrong)",
		  name, NR_RANDOM, ARRAY_SIZE(accesses), seed, bad_mapped);
	tap_check(!bad_unmapped,
		  "%s: %u unmapped VAs fault not-present with the access's error code (seed %" PRIu64 ", %u wrong)",
		  name, nr_unmapped, seed, bad_unmapped);
	free(maps);
}

/*
 * CR4.PSE=0 (SDM vol. 3, 4.3): PDE bit 7 is ignored, so a 4 MiB PDE
 * points at a page table at its bits 31:12, and PSE-36's bit 21 is no
 * longer reserved.
 */
static void known_pse_off(struct fake_mem *m)
{
	struct pgtable pt;
	u64 pd;

	fake_pgtable(&pt, m, PAGING_NONPAE);
	pd = pt.root;
	pg_map(&pt, 0x00800000, 0x00c00000, PAGE_SIZE_4M, PTE_W | PTE_U);
	/* The large page's first 4 KiB, as a table: PTE[5] -> 0x00123000. */
	pg_write_entry(&pt, 0x00c00000 + 5 * 4, 0x00123005);
	pt.pse_off = true;
	expect_walk(&pt, 0x00805abc, 0, false, 0, 0x00123abc,
		    "CR4.PSE=0: a 4 MiB PDE points at a page table");
	expect_walk(&pt, 0x00805abc, PFERR_W, true, PFERR_P | PFERR_W, 0,
		    "CR4.PSE=0: the PTE's R/W=0 counts, not the PDE's");
	expect_walk(&pt, 0x00806abc, 0, true, 0, 0,
		    "CR4.PSE=0: a zero word of the large page is a not-present PTE");
	pg_write_entry(&pt, pd + 2 * 4, pg_read_entry(&pt, pd + 2 * 4) | 1 << 21);
	pg_write_entry(&pt, 0x00e00000 + 5 * 4, 0x00456005);
	expect_walk(&pt, 0x00805abc, 0, false, 0, 0x00456abc,
		    "CR4.PSE=0: PDE bit 21 is not reserved but a table address bit");
	pt.pse_off = false;
	expect_walk(&pt, 0x00805abc, 0, true, PFERR_P | PFERR_RSVD, 0,
		    "CR4.PSE=1 again: the same PDE maps 4 MiB, bit 21 reserved");
}

int main(int argc, char **argv)
{
	struct fake_mem m = { 0 };
	u64 seed = 1;
	int opt, mode;

	while ((opt = getopt(argc, argv, "s:")) != -1)
		if (opt == 's')
			seed = strtoull(optarg, NULL, 0);
	m.buf = calloc(1, POOL_SIZE);
	tap_init(stdout);
	tap_diag("seed %" PRIu64, seed);
	known_nonpae(&m);
	known_pse_off(&m);
	known_pae(&m);
	known_lm(&m, PAGING_LM4);
	known_lm(&m, PAGING_LM5);
	known_ept(&m);
	for (mode = 0; mode < PAGING_NR_MODES; mode++)
		known_smep_smap(&m, mode);
	for (mode = 0; mode < PAGING_NR_MODES; mode++)
		random_check(&m, mode, seed + mode);
	free(m.buf);
	return tap_finish();
}

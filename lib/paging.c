// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page-table builders and the reference walkers (Intel SDM vol. 3 ch. 4,
 * AMD APM vol. 2 ch. 5).  The formats differ in entry size, index width per
 * level, which levels may hold leaves, and which bits are reserved; the
 * code below keeps those differences in small per-mode helpers.
 */
#include <stdio.h>
#include <string.h>

#include "paging.h"
#include "test_util.h"

static const char *const mode_names[PAGING_NR_MODES] = {
	[PAGING_NONPAE] = "nonpae",
	[PAGING_PAE] = "pae",
	[PAGING_LM4] = "64",
	[PAGING_LM5] = "la57",
};

static const char *const level_names[PG_MAX_LEVELS + 1] = {
	"?", "PTE", "PDE", "PDPTE", "PML4E", "PML5E",
};

const char *paging_mode_name(enum paging_mode mode)
{
	return mode < PAGING_NR_MODES ? mode_names[mode] : "?";
}

int pg_levels(enum paging_mode mode)
{
	static const int levels[] = { 2, 3, 4, 5 };

	return levels[mode];
}

int pg_entry_size(enum paging_mode mode)
{
	return mode == PAGING_NONPAE ? 4 : 8;
}

struct pg_regs pg_mode_regs(enum paging_mode mode)
{
	bool lm = mode == PAGING_LM4 || mode == PAGING_LM5;

	return (struct pg_regs){
		.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG,
		.cr4 = (mode == PAGING_NONPAE ? CR4_PSE : CR4_PAE) |
		       (mode == PAGING_LM5 ? CR4_LA57 : 0),
		.efer = lm ? EFER_LME | EFER_LMA : 0,
	};
}

static int index_shift(enum paging_mode mode, int level)
{
	if (mode == PAGING_NONPAE)
		return 12 + 10 * (level - 1);
	return 12 + 9 * (level - 1);
}

u64 pg_level_size(enum paging_mode mode, int level)
{
	return 1ULL << index_shift(mode, level);
}

u64 pg_va_limit(enum paging_mode mode)
{
	switch (mode) {
	case PAGING_NONPAE:
	case PAGING_PAE:
		return 1ULL << 32;
	case PAGING_LM4:
		return 1ULL << 47;
	default:
		return 1ULL << 56;
	}
}

u32 pg_index(enum paging_mode mode, int level, u64 va)
{
	u32 bits = mode == PAGING_NONPAE ? 10 : 9;

	if (mode == PAGING_PAE && level == 3)
		bits = 2;
	return (u32)(va >> index_shift(mode, level)) & ((1U << bits) - 1);
}

/* Levels whose entries may map a page (PS=1); level 1 always does. */
static bool level_can_be_leaf(const struct pgtable *pt, int level)
{
	if (level == 1)
		return true;
	if (level == 2)
		return true;	/* PSE (non-PAE, CR4.PSE=1) or 2 MiB */
	return level == 3 && pt->mode >= PAGING_LM4 && pt->gbpages;
}

bool pg_page_size_valid(const struct pgtable *pt, u64 page_size)
{
	int level;

	for (level = 1; level <= 3; level++)
		if (pg_level_size(pt->mode, level) == page_size)
			return level_can_be_leaf(pt, level);
	return false;
}

static u64 addr_mask_4k(enum paging_mode mode)
{
	return mode == PAGING_NONPAE ? 0xfffff000ULL : 0x000ffffffffff000ULL;
}

static bool is_leaf(enum paging_mode mode, int level, u64 entry)
{
	if (level == 1)
		return true;
	if (mode == PAGING_PAE && level == 3)
		return false;	/* PDPTE bit 7 is reserved, not PS */
	return entry & PTE_PS;
}

/* Whether the walk ends at @entry, under the controls of @pt. */
static bool walk_leaf(const struct pgtable *pt, int level, u64 entry)
{
	if (pt->pse_off && pt->mode == PAGING_NONPAE && level == 2)
		return false;
	return is_leaf(pt->mode, level, entry);
}

/* The next table's (or the page's) address, as the walk sees @entry. */
static u64 walk_entry_addr(const struct pgtable *pt, int level, u64 entry)
{
	if (!walk_leaf(pt, level, entry))
		return entry & addr_mask_4k(pt->mode);
	return pg_entry_addr(pt->mode, level, entry);
}

u64 pg_entry_addr(enum paging_mode mode, int level, u64 entry)
{
	if (!is_leaf(mode, level, entry) || level == 1)
		return entry & addr_mask_4k(mode);
	if (mode == PAGING_NONPAE)	/* PSE-36: bits 20:13 are PA 39:32 */
		return (entry & 0xffc00000ULL) | ((entry >> 13) & 0xff) << 32;
	return entry & addr_mask_4k(mode) & ~(pg_level_size(mode, level) - 1);
}

u64 pg_make_entry(enum paging_mode mode, int level, u64 pa, u64 flags)
{
	u64 e = flags | PTE_P;

	if (level > 1 && (flags & PTE_PS) && mode == PAGING_NONPAE)
		return e | (pa & 0xffc00000ULL) | ((pa >> 32) & 0xff) << 13;
	return e | (pa & addr_mask_4k(mode));
}

void pg_init(struct pgtable *pt, enum paging_mode mode,
	     const struct pg_phys *phys)
{
	memset(pt, 0, sizeof(*pt));
	pt->mode = mode;
	pt->wp = true;
	pt->nxe = mode != PAGING_NONPAE;
	pt->gbpages = true;
	pt->maxphyaddr = mode == PAGING_NONPAE ? 40 : 48;
	pt->phys = *phys;
	pt->root = phys->alloc(phys->opaque);
}

static void *entry_ptr(const struct pgtable *pt, u64 entry_pa)
{
	void *p = pt->phys.hva(pt->phys.opaque, entry_pa);

	TEST_ASSERT(p, "page-table entry at PA 0x%llx is outside guest memory",
		    (unsigned long long)entry_pa);
	return p;
}

u64 pg_read_entry(const struct pgtable *pt, u64 entry_pa)
{
	void *p = entry_ptr(pt, entry_pa);

	if (pg_entry_size(pt->mode) == 4)
		return *(u32 *)p;
	return *(u64 *)p;
}

void pg_write_entry(const struct pgtable *pt, u64 entry_pa, u64 val)
{
	void *p = entry_ptr(pt, entry_pa);

	if (pg_entry_size(pt->mode) == 4)
		*(u32 *)p = (u32)val;
	else
		*(u64 *)p = val;
}

static u64 table_entry_pa(const struct pgtable *pt, u64 table, int level,
			  u64 va)
{
	return table + (u64)pg_index(pt->mode, level, va) *
		       pg_entry_size(pt->mode);
}

static u64 root_table(const struct pgtable *pt, u64 cr3)
{
	if (pt->mode == PAGING_PAE)
		return cr3 & 0xffffffe0ULL;
	return cr3 & addr_mask_4k(pt->mode);
}

/* Intermediate entries grant everything; leaves decide. */
static u64 table_flags(const struct pgtable *pt, int level)
{
	if (pt->mode == PAGING_PAE && level == 3)
		return PTE_P;
	return PTE_P | PTE_W | PTE_U;
}

/*
 * Descends from @root to the entry that translates @va at @level.  A
 * missing table is allocated when @alloc (or ends the descent with 0); a
 * large page in the way fails the test when @alloc (or returns 0).
 */
static u64 descend(const struct pgtable *pt, u64 root, u64 va, int level,
		   bool alloc)
{
	int l = pg_levels(pt->mode);
	u64 table = root_table(pt, root);

	for (;; l--) {
		u64 epa = table_entry_pa(pt, table, l, va);
		u64 e;

		if (l == level)
			return epa;
		if (!alloc && !pt->phys.hva(pt->phys.opaque, epa))
			return 0;
		e = pg_read_entry(pt, epa);
		if (!(e & PTE_P) && alloc) {
			e = pg_make_entry(pt->mode, l,
					  pt->phys.alloc(pt->phys.opaque),
					  table_flags(pt, l));
			pg_write_entry(pt, epa, e);
		}
		if (!(e & PTE_P) || is_leaf(pt->mode, l, e)) {
			TEST_ASSERT(!alloc,
				    "VA 0x%llx: a large page at level %d is in the way",
				    (unsigned long long)va, l);
			return 0;
		}
		table = pg_entry_addr(pt->mode, l, e);
	}
}

u64 pg_entry_pa_alloc(struct pgtable *pt, u64 root, u64 va, int level)
{
	return descend(pt, root, va, level, true);
}

void pg_map(struct pgtable *pt, u64 va, u64 pa, u64 page_size, u64 flags)
{
	int level;

	TEST_ASSERT(pg_page_size_valid(pt, page_size) &&
		    !(va & (page_size - 1)) && !(pa & (page_size - 1)) &&
		    va < pg_va_limit(pt->mode),
		    "%s: cannot map VA 0x%llx -> PA 0x%llx with a 0x%llx page",
		    paging_mode_name(pt->mode), (unsigned long long)va,
		    (unsigned long long)pa, (unsigned long long)page_size);
	for (level = 1; pg_level_size(pt->mode, level) != page_size; level++)
		;
	if (level > 1)
		flags |= PTE_PS;
	pg_write_entry(pt, pg_entry_pa_alloc(pt, pt->root, va, level),
		       pg_make_entry(pt->mode, level, pa, flags));
}

u64 pg_entry_pa(const struct pgtable *pt, u64 root, u64 va, int level)
{
	return descend(pt, root, va, level, false);
}

void pg_share(struct pgtable *pt, u64 dst_root, u64 src_root, u64 va,
	      u64 size, int level)
{
	u64 step = pg_level_size(pt->mode, level), end = va + size;

	for (va = ALIGN_DOWN(va, step); va < end; va += step) {
		u64 src = pg_entry_pa(pt, src_root, va, level);

		TEST_ASSERT(src, "VA 0x%llx has no level-%d entry to share",
			    (unsigned long long)va, level);
		pg_write_entry(pt, pg_entry_pa_alloc(pt, dst_root, va, level),
			       pg_read_entry(pt, src));
	}
}

/* Bits of a present entry that must be zero, per mode and level. */
static u64 reserved_bits(const struct pgtable *pt, int level, u64 entry)
{
	u64 above_maxphy = 0x000fffffffffffffULL & ~((1ULL << pt->maxphyaddr) - 1);
	u64 rsvd;

	if (pt->mode == PAGING_NONPAE) {
		if (level == 2 && (entry & PTE_PS) && !pt->pse_off) {
			/* PSE-36: bit 21 reserved; PA bits past maxphyaddr. */
			rsvd = 1ULL << 21;
			if (pt->maxphyaddr < 40)
				rsvd |= (0xffULL << 13) &
					~(((1ULL << (pt->maxphyaddr - 32)) - 1) << 13);
			return rsvd;
		}
		return 0;
	}
	rsvd = above_maxphy;
	if (!pt->nxe)
		rsvd |= PTE_NX;
	if (pt->mode == PAGING_PAE && level == 3)
		return rsvd | PTE_NX | 0x1e6;	/* bits 1, 2, 5-8 */
	if (level >= 4)
		return rsvd | PTE_PS;
	if (level == 3 && (entry & PTE_PS))
		return pt->gbpages ? rsvd | 0x3fffe000ULL : rsvd | PTE_PS;
	if (level == 2 && (entry & PTE_PS))
		return rsvd | 0x1fe000ULL;
	return rsvd;
}

static int walk_fault(struct pg_walk *w, u32 vector, u32 error_code)
{
	w->fault = true;
	w->vector = vector;
	w->error_code = error_code;
	return 1;
}

/*
 * The I/D bit is reported where NX exists and is enabled, or with SMEP
 * (SDM vol. 3, 4.7; KVM's walker and QEMU's do the same).
 */
static u32 fault_access_bits(const struct pgtable *pt, u32 access)
{
	u32 bits = access & (PFERR_W | PFERR_U);

	if ((access & PFERR_F) &&
	    ((pt->nxe && pt->mode != PAGING_NONPAE) || pt->smep))
		bits |= PFERR_F;
	return bits;
}

/*
 * Access rights (SDM vol. 3, 4.6.1; APM vol. 2, 5.6).  A user-mode
 * address has U=1 at every level (@u_all), a writable one R/W=1 at every
 * level (@w_all).  CPL 3 needs U and, to write, R/W.  A supervisor-mode
 * (CPL 0, explicit) access: a fetch from a user-mode address faults with
 * CR4.SMEP; a data access to one with CR4.SMAP unless EFLAGS.AC=1; a
 * write needs R/W only with CR0.WP=1.  NX forbids a fetch at any CPL.
 */
static bool permitted(const struct pgtable *pt, u32 access, bool w_all,
		      bool u_all, bool nx_any)
{
	bool user = access & PFERR_U;

	if ((access & PFERR_F) && nx_any && pt->nxe &&
	    pt->mode != PAGING_NONPAE)
		return false;
	if (user && !u_all)
		return false;
	if ((access & PFERR_W) && !w_all && (user || pt->wp))
		return false;
	if (user || !u_all)
		return true;
	if (access & PFERR_F)
		return !pt->smep;
	return !pt->smap || pt->ac;
}

static void set_accessed_dirty(const struct pgtable *pt, struct pg_walk *w)
{
	int i;

	for (i = 0; i < w->nr_steps; i++) {
		struct pg_walk_step *s = &w->steps[i];
		u64 e = s->entry;

		if (pt->mode == PAGING_PAE && s->level == 3)
			continue;	/* PDPTEs have no A bit */
		e |= PTE_A;
		if (i == w->nr_steps - 1 && (w->access & PFERR_W))
			e |= PTE_D;
		if (e != s->entry)
			pg_write_entry(pt, s->entry_pa, e);
	}
}

/* ---- EPT (Intel SDM 29.3) ---- */

#define EPT_RWX		7ULL
#define EPT_MEMTYPE	(7ULL << 3)
#define EPT_A		(1ULL << 8)
#define EPT_D		(1ULL << 9)

/* Reserved bits of a present EPT entry (SDM 29.3.3.1: misconfigured). */
static u64 ept_reserved_bits(const struct pgtable *pt, int level, u64 e)
{
	u64 rsvd = 0x000fffffffffffffULL & ~((1ULL << pt->maxphyaddr) - 1);
	u64 type = (e & EPT_MEMTYPE) >> 3;

	if (level == 4 || (level > 1 && !(e & PTE_PS)))
		return rsvd | 0xf8ULL;			/* bits 7:3 */
	if (level == 3 && !pt->gbpages)
		return rsvd | PTE_PS;
	if (type == 2 || type == 3 || type == 7)
		return ~0ULL;				/* any: misconfigured */
	if (level == 3)
		return rsvd | 0x3ffff000ULL;
	if (level == 2)
		return rsvd | 0x1ff000ULL;
	return rsvd;
}

/* The EPT violation's qualification bits 5:0 (EPTQ_*). */
static u32 ept_qual(u32 access, u64 rwx)
{
	u32 q = (u32)rwx << EPTQ_RWX_SHIFT;

	if (access & PFERR_F)
		return q | EPTQ_FETCH;
	return q | (access & PFERR_W ? EPTQ_WRITE : EPTQ_READ);
}

static int ept_walk(const struct pgtable *pt, u64 eptp, u64 gpa, u32 access,
		    bool set_ad, struct pg_walk *w)
{
	u64 table = eptp & addr_mask_4k(pt->mode), rwx = EPT_RWX, need;
	int level = pg_levels(pt->mode), i;

	for (;; level--) {
		struct pg_walk_step *s = &w->steps[w->nr_steps++];

		s->level = level;
		s->entry_pa = table_entry_pa(pt, table, level, gpa);
		if (!pt->phys.hva(pt->phys.opaque, s->entry_pa)) {
			w->outside_memory = true;
			return walk_fault(w, VEC_PF, ept_qual(access, 0));
		}
		s->entry = pg_read_entry(pt, s->entry_pa);
		rwx &= s->entry;
		if (!(s->entry & EPT_RWX))
			return walk_fault(w, VEC_PF, ept_qual(access, 0));
		if ((s->entry & 3) == PTE_W ||
		    (s->entry & ept_reserved_bits(pt, level, s->entry)))
			return walk_fault(w, VEC_EPT_MISCONFIG, 0);
		if (level == 1 || (s->entry & PTE_PS))
			break;
		table = pg_entry_addr(pt->mode, level, s->entry);
	}
	need = access & PFERR_F ? PTE_U : access & PFERR_W ? PTE_W : PTE_P;
	if (!(rwx & need))
		return walk_fault(w, VEC_PF, ept_qual(access, rwx));
	w->page_size = pg_level_size(pt->mode, level);
	w->pa = pg_entry_addr(pt->mode, level, w->steps[w->nr_steps - 1].entry) |
		(gpa & (w->page_size - 1));
	for (i = 0; set_ad && i < w->nr_steps; i++) {
		struct pg_walk_step *s = &w->steps[i];
		u64 e = s->entry | EPT_A;

		if (i == w->nr_steps - 1 && (access & PFERR_W))
			e |= EPT_D;
		if (e != s->entry)
			pg_write_entry(pt, s->entry_pa, e);
	}
	return 0;
}

int pg_walk(const struct pgtable *pt, u64 cr3, u64 va, u32 access,
	    bool set_ad, struct pg_walk *w)
{
	int level = pg_levels(pt->mode);
	u64 table = root_table(pt, cr3);
	bool w_all = true, u_all = true, nx_any = false;
	u32 bits = fault_access_bits(pt, access);

	memset(w, 0, sizeof(*w));
	w->va = va;
	w->access = access;
	w->wp = pt->wp;
	w->smep = pt->smep;
	w->smap = pt->smap;
	w->ac = pt->ac;
	w->pse_off = pt->pse_off;
	if (pt->ept)
		return ept_walk(pt, cr3, va, access, set_ad, w);
	for (;; level--) {
		struct pg_walk_step *s = &w->steps[w->nr_steps++];

		s->level = level;
		s->entry_pa = table_entry_pa(pt, table, level, va);
		if (!pt->phys.hva(pt->phys.opaque, s->entry_pa)) {
			w->outside_memory = true;
			return walk_fault(w, VEC_PF, bits);
		}
		s->entry = pg_read_entry(pt, s->entry_pa);
		if (!(s->entry & PTE_P))
			return walk_fault(w, VEC_PF, bits);
		if (s->entry & reserved_bits(pt, level, s->entry)) {
			if (pt->mode == PAGING_PAE && level == 3)
				return walk_fault(w, VEC_GP, 0);
			return walk_fault(w, VEC_PF,
					  bits | PFERR_P | PFERR_RSVD);
		}
		if (!(pt->mode == PAGING_PAE && level == 3)) {
			w_all &= !!(s->entry & PTE_W);
			u_all &= !!(s->entry & PTE_U);
			nx_any |= !!(s->entry & PTE_NX);
		}
		if (walk_leaf(pt, level, s->entry))
			break;
		table = walk_entry_addr(pt, level, s->entry);
	}
	if (!permitted(pt, access, w_all, u_all, nx_any))
		return walk_fault(w, VEC_PF, bits | PFERR_P);
	w->page_size = pg_level_size(pt->mode, level);
	w->pa = walk_entry_addr(pt, level, w->steps[w->nr_steps - 1].entry) |
		(va & (w->page_size - 1));
	if (set_ad)
		set_accessed_dirty(pt, w);
	return 0;
}

void pg_walk_format(const struct pgtable *pt, const struct pg_walk *w,
		    char *buf, size_t size)
{
	size_t n;
	int i;

	n = (size_t)snprintf(buf, size, "%s walk of %s 0x%llx (%s%s%s):",
			     pt->ept ? "EPT" : paging_mode_name(pt->mode),
			     pt->ept ? "GPA" : "VA",
			     (unsigned long long)w->va,
			     w->access & PFERR_W ? "write" : "read",
			     w->access & PFERR_U ? ", user" : "",
			     w->access & PFERR_F ? ", fetch" : "");
	if (!pt->ept && n < size)
		n += (size_t)snprintf(buf + n, size - n,
			"\n  under CR0.WP=%d CR4.SMEP=%d CR4.SMAP=%d EFLAGS.AC=%d%s",
			w->wp, w->smep, w->smap, w->ac,
			w->pse_off ? " CR4.PSE=0" : "");
	for (i = 0; i < w->nr_steps && n < size; i++) {
		const struct pg_walk_step *s = &w->steps[i];

		n += (size_t)snprintf(buf + n, size - n,
			"\n  %s[%u] at PA 0x%llx = 0x%0*llx", level_names[s->level],
			pg_index(pt->mode, s->level, w->va),
			(unsigned long long)s->entry_pa,
			pg_entry_size(pt->mode) * 2,
			(unsigned long long)s->entry);
	}
	if (n >= size)
		return;
	if (w->outside_memory)
		snprintf(buf + n, size - n, "\n  -> table outside guest memory");
	else if (w->fault)
		snprintf(buf + n, size - n, "\n  -> %s, error code 0x%x",
			 w->vector == VEC_GP ? "#GP" :
			 w->vector == VEC_EPT_MISCONFIG ? "EPT misconfiguration" :
			 pt->ept ? "EPT violation (qualification bits 5:0)" : "#PF",
			 w->error_code);
	else
		snprintf(buf + n, size - n, "\n  -> PA 0x%llx (%llu KiB page)",
			 (unsigned long long)w->pa,
			 (unsigned long long)w->page_size >> 10);
}

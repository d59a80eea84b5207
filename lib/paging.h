/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest page tables: one builder and ONE reference walker per paging mode,
 * shared by the KVM tests (to build guest tables and predict every access)
 * and the unit tests (builder against walker without KVM).
 *
 *   PAGING_NONPAE  32-bit, 4-byte entries: PD -> PT; 4 MiB PSE pages
 *                  (PSE-36: PDE bits 20:13 are PA bits 39:32)
 *   PAGING_PAE     32-bit, 8-byte entries: PDPT(4) -> PD -> PT; 2 MiB pages
 *   PAGING_LM4     long mode: PML4 -> PDPT -> PD -> PT; 2 MiB and 1 GiB
 *   PAGING_LM5     long mode with LA57: PML5 on top of the above
 *
 * Levels are numbered as in KVM: 1 = PT (4 KiB leaves), 2 = PD, 3 = PDPT,
 * 4 = PML4, 5 = PML5.  Physical memory is reached through struct pg_phys,
 * so the same code runs on a VM's memory, a mirror of it, or a buffer.
 */
#ifndef KMT_PAGING_H
#define KMT_PAGING_H

#include "abi/types.h"

enum paging_mode {
	PAGING_NONPAE,
	PAGING_PAE,
	PAGING_LM4,
	PAGING_LM5,
	PAGING_NR_MODES,
};

/* Entry bits; the low 12 are the same in every format. */
#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_U		(1ULL << 2)
#define PTE_PWT		(1ULL << 3)
#define PTE_PCD		(1ULL << 4)
#define PTE_A		(1ULL << 5)
#define PTE_D		(1ULL << 6)
#define PTE_PS		(1ULL << 7)
#define PTE_PAT		(1ULL << 7)	/* the same bit in a 4 KiB leaf */
#define PTE_G		(1ULL << 8)
#define PTE_NX		(1ULL << 63)

/* Page-fault error code bits, also used to describe an access. */
#define PFERR_P		(1U << 0)
#define PFERR_W		(1U << 1)
#define PFERR_U		(1U << 2)
#define PFERR_RSVD	(1U << 3)
#define PFERR_F		(1U << 4)

#define VEC_GP		13
#define VEC_PF		14
/*
 * Not an x86 vector: the walk of an EPT found a misconfigured entry (an
 * EPT misconfiguration exit, not an EPT violation, whose walks report
 * VEC_PF with the exit qualification's bits 5:0 as error code).
 */
#define VEC_EPT_MISCONFIG	0x131

/* EPT violation exit qualification bits (Intel SDM 28.2.1, table 28-7). */
#define EPTQ_READ	(1U << 0)
#define EPTQ_WRITE	(1U << 1)
#define EPTQ_FETCH	(1U << 2)
#define EPTQ_RWX_SHIFT	3	/* bits 5:3: R, W, X of the walk, ANDed */

#define PG_MAX_LEVELS	5

struct pg_phys {
	/* Host pointer to guest physical @pa, or NULL outside memory. */
	void *(*hva)(void *opaque, u64 pa);
	/* PA of a new zeroed, 4 KiB aligned table page. */
	u64 (*alloc)(void *opaque);
	void *opaque;
};

struct pgtable {
	enum paging_mode mode;
	u64 root;		/* what CR3 holds */
	bool wp;		/* CR0.WP */
	bool nxe;		/* EFER.NXE (PAE and long mode) */
	bool gbpages;		/* CPUID.80000001H:EDX.Page1GB */
	bool has_smep;		/* CPUID.7.0:EBX.SMEP[7] */
	bool has_smap;		/* CPUID.7.0:EBX.SMAP[20] */
	/*
	 * CR4.SMEP, CR4.SMAP and EFLAGS.AC of the accessing code (every
	 * supervisor access here is explicit: AC applies to all of them).
	 */
	bool smep;
	bool smap;
	bool ac;
	/*
	 * CR4.PSE=0 (non-PAE; the builders assume PSE=1): PDE bit 7 is
	 * ignored, every present PDE points at a page table.
	 */
	bool pse_off;
	int maxphyaddr;
	/*
	 * The tables are an EPT (Intel SDM 29.3): PAGING_LM4's geometry,
	 * builder and entry addresses, but bits 2:0 are R/W/X, leaves carry
	 * a memory type in bits 5:3, A/D are bits 8/9, and pg_walk() runs the
	 * EPT walker.  PTE_P/PTE_W/PTE_U passed to the builders are R/W/X.
	 */
	bool ept;
	struct pg_phys phys;
};

/* One step of a walk: the entry read at each level. */
struct pg_walk_step {
	int level;
	u64 entry_pa;
	u64 entry;
};

struct pg_walk {
	u64 va;
	u32 access;		/* PFERR_W / PFERR_U / PFERR_F */
	bool wp, smep, smap, ac;	/* the controls it was checked under */
	bool pse_off;
	int nr_steps;
	struct pg_walk_step steps[PG_MAX_LEVELS];
	bool fault;
	u32 vector;		/* VEC_PF, or VEC_GP for a bad PAE PDPTE */
	u32 error_code;
	bool outside_memory;	/* a table on the way is not in memory */
	u64 pa;			/* valid when !fault */
	u64 page_size;
};

/* The control-register bits that select a paging mode. */
#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

struct pg_regs {
	u64 cr0, cr4, efer;
};

/*
 * What CR0, CR4 and EFER hold in @mode with paging on (CR0: PE, ET, NE,
 * PG; CR4: PSE for non-PAE, PAE, LA57; EFER: LME and LMA in long mode),
 * before the caller's own bits (CR0.WP, EFER.NXE, vendor bits).
 */
struct pg_regs pg_mode_regs(enum paging_mode mode);
const char *paging_mode_name(enum paging_mode mode);
int pg_levels(enum paging_mode mode);
int pg_entry_size(enum paging_mode mode);
/* Bytes mapped by one entry at @level (the leaf size if it is a leaf). */
u64 pg_level_size(enum paging_mode mode, int level);
/* Whether a leaf of @page_size is possible in @mode. */
bool pg_page_size_valid(const struct pgtable *pt, u64 page_size);
/* Highest VA + 1 the mode can translate (non-canonical VAs excluded). */
u64 pg_va_limit(enum paging_mode mode);
u32 pg_index(enum paging_mode mode, int level, u64 va);

/* The entry value for a leaf or table at @level pointing at @pa. */
u64 pg_make_entry(enum paging_mode mode, int level, u64 pa, u64 flags);
/* The PA an entry points at (table or page), per its level and PS bit. */
u64 pg_entry_addr(enum paging_mode mode, int level, u64 entry);

void pg_init(struct pgtable *pt, enum paging_mode mode,
	     const struct pg_phys *phys);
u64 pg_read_entry(const struct pgtable *pt, u64 entry_pa);
void pg_write_entry(const struct pgtable *pt, u64 entry_pa, u64 val);

/*
 * Maps @va -> @pa with a leaf of @page_size and @flags (PTE_P is implied;
 * PTE_PS is added for large pages).  Missing tables are allocated with
 * P|W|U (PAE PDPTEs: P only) so that the leaf alone decides permissions.
 */
void pg_map(struct pgtable *pt, u64 va, u64 pa, u64 page_size, u64 flags);
/*
 * As pg_entry_pa(), but allocates the missing tables above @level (with
 * the same permissive flags as pg_map()).
 */
u64 pg_entry_pa_alloc(struct pgtable *pt, u64 root, u64 va, int level);
/*
 * Makes the tables under @dst_root use the same level-@level entries as
 * @src_root for [va, va + size), so two roots share the tables below.
 */
void pg_share(struct pgtable *pt, u64 dst_root, u64 src_root, u64 va,
	      u64 size, int level);
/*
 * Physical address of the entry that translates @va at @level in the
 * tables under @root, or 0 when a table on the way is missing or a
 * larger leaf maps @va.
 */
u64 pg_entry_pa(const struct pgtable *pt, u64 root, u64 va, int level);

/*
 * The reference walker.  Walks @va under @cr3 for @access (PFERR_W,
 * PFERR_U, PFERR_F bits) and fills @w; returns 0 when the access
 * translates, 1 on a fault.  With @set_ad, sets A on every entry used and
 * D on the leaf of a write, as the CPU does on a successful walk.  An EPT
 * (pt->ept) is walked by the EPT walker: PFERR_U means nothing there, a
 * fault is VEC_PF with the EPT violation's qualification bits 5:0 as its
 * error code (EPTQ_*), or VEC_EPT_MISCONFIG.
 */
int pg_walk(const struct pgtable *pt, u64 cr3, u64 va, u32 access,
	    bool set_ad, struct pg_walk *w);
/* Human-readable walk, one line per level, for failure messages. */
void pg_walk_format(const struct pgtable *pt, const struct pg_walk *w,
		    char *buf, size_t size);

#endif

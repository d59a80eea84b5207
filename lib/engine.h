/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The differential engine: guest op scripts, their predicted outcomes, the
 * generators that emit them, host-side events at sync points, and the
 * shrinker of failing runs.  One header for the whole family:
 *
 *   lib/engine_predict.c  scripts, the prediction on a mirror of guest
 *                         memory (THE reference walker of lib/paging.c),
 *                         running a script, comparing outcomes
 *   lib/engine_emit.c     struct ptgen: emit ops while predicting them
 *   lib/engine_random.c   the randomized generator: steps (edits, flushes,
 *                         accesses, host events) drawn from a seed
 *   lib/engine_events.c   host-side events run at the guest's sync points
 *   lib/engine_shrink.c   delta debugging of a failing step list, replay
 *
 * A test builds a script, predicts it on a mirror of guest memory with the
 * reference walker, runs it in the guest's op interpreter (abi/ops.h), and
 * compares: every op's outcome (value read, or exception, error code and
 * CR2) and the final contents of the memory it cares about.  Physical
 * pages carry tags (each 4-byte word holds its own PA | 1), so a value
 * read names the physical address it came from.
 *
 * The prediction models no TLB: scripts must flush (INVLPG, CR3 write)
 * after changing a present entry, as an OS would, so that every correct
 * CPU and hypervisor gives exactly the predicted result.  The one
 * exception is a host-side write to a guest page-table entry (KVM's write
 * tracking never sees it): until the guest itself rewrites that entry and
 * reloads CR3, an access may see the translation before or after it, and
 * the prediction accepts either (struct prediction.stale).
 *
 * Nested runs (ptgen_nested(), lib/engine_nested.c) keep all of this
 * with other actors: the tables are L1's nested page table (NPT, or EPT:
 * the walker of its format), VAs are L2 GPAs, PAs are L1 GPAs, accesses
 * run in L2 (paging off), a guest entry write is L1's own store into its
 * NPT/EPT (OPF_L1), INVLPG and CR3 loads are L1 flushing L2's
 * translations (TLB_CONTROL, INVEPT) and loading nCR3/EPTP, and a fault
 * is the nested page fault L1 sees (NPF, EPT violation).
 */
#ifndef KMT_ENGINE_H
#define KMT_ENGINE_H

#include "abi/ops.h"
#include "abi/percpu.h"
#include "kvm.h"
#include "rand.h"

struct op_script {
	struct guest_op *ops;
	u32 nr;
	u32 cap;
};

void script_init(struct op_script *s);
void script_free(struct op_script *s);
void script_op(struct op_script *s, u32 code, u64 va, u64 value);
void script_read(struct op_script *s, u64 va);
void script_write(struct op_script *s, u64 va, u32 value);
void script_invlpg(struct op_script *s, u64 va);
void script_write_cr3(struct op_script *s, u64 cr3);
/* Store @val into the entry at @entry_pa through its identity mapping. */
void script_write_entry(struct op_script *s, const struct pgtable *pt,
			u64 entry_pa, u64 val);

/* Host writes to guest entries pending at once (see the top). */
#define ENG_MAX_STALE	1
/*
 * Guest physical memory the mirror may cover (every memslot below it).
 * The mirror is reserved, not allocated: only what is copied or written
 * costs memory.  Memslots in a sparse range (predict_begin_sparse()) are
 * not copied at all.
 */
#define ENG_MIRROR_MAX	(4ULL << 30)
/* VAs the second vCPU flushed with INVLPG since its pending entry changed. */
#define ENG_V1_FRESH	8
/* OP_SYNC value on vCPU 0: the host runs vCPU 1's next chunk of ops. */
#define ENG_SYNC_VCPU1	0xfffffff0ULL

struct prediction {
	u32 nr;
	u32 cap;
	struct guest_op_result *res;
	struct guest_op_result *alt;	/* the other outcome, where ambiguous */
	u8 *ambiguous;		/* per op: alt is acceptable too */
	struct pg_walk *walks;	/* per op; nr_steps 0 for non-accesses */
	struct kvm_vm *vm;
	u8 *mirror;		/* every memslot as the ops so far leave it */
	u64 size;
	u8 *written;		/* bit per 4 KiB page: written since last reset */
	u64 cr3;		/* CR3 after the ops so far */
	struct pgtable pt;	/* the VM's tables, over the mirror */
	bool all_user;		/* every walk is a user access (NPT) */
	bool nested;		/* VAs are L2 GPAs, PAs L1 GPAs */
	struct {
		u64 entry_pa;
		u64 old;	/* its value before the host wrote it */
	} stale[ENG_MAX_STALE];
	u32 nr_stale;
	/*
	 * The second vCPU (ops flagged OPF_VCPU1): its own CR3, CR0.WP,
	 * CR4.PSE/SMEP/SMAP and EFLAGS.AC,
	 * and the one table entry vCPU 0 changed since vCPU 1 last flushed
	 * (its TLB, or a shadow page KVM has not synced for it yet, may
	 * still hold the old translation: either is accepted until vCPU 1
	 * runs INVLPG on that VA or loads CR3).
	 */
	struct {
		u64 cr3;
		bool wp, smep, smap, ac, pse_off;
		bool pending;
		bool accessed;	/* it walked since the entry changed */
		u64 entry_pa, old;
		u64 fresh[ENG_V1_FRESH];
		u32 nr_fresh;
	} v1;
};

/*
 * Predicts @s from the current contents of memslot 0, starting at @cr3.
 * Generators that need the state between ops (to find an entry's address
 * after earlier edits) use predict_begin() and predict_op() in lockstep
 * with script_op().
 */
void predict(struct kvm_vm *vm, const struct op_script *s, u64 cr3,
	     struct prediction *p);
void predict_begin(struct kvm_vm *vm, u64 cr3, struct prediction *p);
/* The same for the tables @pt (in @vm's memory) instead of the VM's. */
void predict_begin_tables(struct kvm_vm *vm, const struct pgtable *pt,
			  u64 cr3, struct prediction *p);
/*
 * The same, leaving guest memory in [@sparse_lo, @sparse_hi) out of the
 * snapshot (a 1 GiB memslot): the mirror holds zeroes there, which the
 * caller must make true by copying in every page it populated.
 */
void predict_begin_sparse(struct kvm_vm *vm, const struct pgtable *pt,
			  u64 cr3, struct prediction *p, u64 sparse_lo,
			  u64 sparse_hi);
void predict_op(struct prediction *p, const struct guest_op *op);
void prediction_free(struct prediction *p);


/*
 * Runs @s in the op interpreter on @vcpu and stores one result per op in
 * @out.  Returns false, with the guest's report as TAP diagnostics, when
 * the guest did not finish the script.
 */
bool script_run(struct kvm_vcpu *vcpu, const struct op_script *s,
		struct guest_op_result *out);
/*
 * Where access @op would land if it were predicted now: the PA under the
 * current tables and, while a host write is pending, under the old ones
 * (0 to 2 of them; faulting walks land nowhere).  Generators use it to
 * keep accesses out of memory the guest's own code uses, or no memory.
 */
u32 predict_targets(struct prediction *p, const struct guest_op *op,
		    u64 pa[2]);
bool predict_pa_mirrored(struct prediction *p, u64 pa);
/* Whether access @op, predicted now, may have two outcomes. */
bool predict_ambiguous(const struct prediction *p, const struct guest_op *op);
/* The same, calling @on_sync with the value of every OP_SYNC. */
bool script_run_sync(struct kvm_vcpu *vcpu, const struct op_script *s,
		     struct guest_op_result *out,
		     void (*on_sync)(void *opaque, u64 value), void *opaque);
/*
 * The same on two vCPUs of one VM: the ops flagged OPF_VCPU1 run on
 * @vcpu1, the others on @vcpu, interleaved as in @s (each run of vCPU 1
 * ops is a chunk the host runs at an OP_SYNC of vCPU 0's script, so the
 * interleaving is the script's, deterministic).  @out is in @s's order.
 */
bool script_run_pair(struct kvm_vcpu *vcpu, struct kvm_vcpu *vcpu1,
		     const struct op_script *s, struct guest_op_result *out,
		     void (*on_sync)(void *opaque, u64 value), void *opaque);

/*
 * Number of ops whose outcome differs from the prediction; the first
 * @max_report are described (VA, expected and actual PA, the walk) as TAP
 * diagnostics.
 */
u32 compare_results(struct kvm_vm *vm, const struct op_script *s,
		    const struct prediction *p,
		    const struct guest_op_result *actual, u32 max_report);
/* Number of 4-byte words in [gpa, gpa + size) that differ. */
u32 compare_memory(struct kvm_vm *vm, const struct prediction *p, u64 gpa,
		   u64 size, u32 max_report);

static inline u32 tag_of(u64 pa)
{
	return (u32)(pa & ~3ULL) | 1;
}

bool tag_decode(u32 v, u64 *pa);
void fill_tags(struct kvm_vm *vm, u64 gpa, u64 size);


/* ---- emitting while predicting (engine_emit.c) ---- */

/* Guest physical memory a generator hands out as data. */
struct ptgen_area {
	u64 data_lo, data_hi;	/* 4 KiB pages, tagged */
	u64 large_lo, large_hi;	/* large pages (4 MiB / 2 MiB aligned), tagged */
	/*
	 * A sparse range (a 1 GiB memslot, 0: none): one tagged 4 KiB page
	 * in every ENG_SPARSE_STRIDE (ptgen_sparse_page()), the rest
	 * never touched, so it is neither zeroed, copied nor compared.
	 */
	u64 sparse_lo, sparse_hi;
	/*
	 * MMIO RAM (vm_add_mmio_ram(), 0: none), tagged: leaves point into
	 * it now and then, never a table, so that accesses there take
	 * KVM's MMIO path (MMIO sptes, the emulator's own walk of the
	 * guest's tables or, nested, of L2's and L1's) and the MMIO exit's
	 * address is checked by the tag it reads and the data it writes.
	 */
	u64 mmio_lo, mmio_hi;
};

#define ENG_SPARSE_STRIDE	(32ULL << 20)

struct eng_event;
struct nested_l2;

struct ptgen {
	struct kvm_vm *vm;
	/*
	 * The tables the generator builds and edits: &vm->pt, or in a
	 * nested run L1's nested page table (ptgen_nested()).
	 */
	struct pgtable *pt;
	struct nested_l2 *l2;	/* nested: the L2 the ops run in, or NULL */
	bool all_user;		/* nested NPT: walks are user accesses */
	/* Runs the script (nested: lib/engine_nested.c); NULL: op_interp. */
	bool (*run)(struct ptgen *g, struct guest_op_result *out);
	u32 l2_runs, l2_faults;	/* nested: L2 entries, nested page faults */
	u32 l2_accesses;
	struct ptgen_area area;
	u64 seed;
	struct rng rng;
	struct op_script s;
	struct prediction p;
	bool started;
	u64 *pages;		/* shuffled free 4 KiB data pages */
	u32 nr_pages;
	u64 next_large;
	u32 writes;		/* makes every written value unique */
	struct eng_event *ev;	/* host events, by the OP_SYNC value */
	u32 nr_ev, cap_ev;
	u32 event_failures;	/* invariants the events found broken */
	bool forcing;
	u64 huge_base;		/* KVM's huge mappings at EV_HUGE_BASELINE */
	u64 huge_min;		/* the fewest at an EV_HUGE_CHECK */
	u64 giant_base;		/* the same for 1 GiB mappings alone */
	u64 giant_min;
	u32 huge_checks;
	struct kvm_vcpu *vcpu1;	/* a second vCPU on the same tables, or NULL */
	/*
	 * KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 on (set by the caller): GET
	 * neither clears nor re-protects, CLEAR (EV_DIRTY_CLEAR) does, for
	 * its range only; a page stays expected dirty until a CLEAR of it.
	 */
	bool manual_dirty;
	struct kvm_vcpu *vcpu0;	/* the vCPU of the run (set by ptgen_verdict) */
	bool pre_fault;		/* KVM_CAP_PRE_FAULT_MEMORY (set by the caller) */
	int collapse_err;	/* errno of the last MADV_COLLAPSE, 0: done */
	u32 collapses;		/* MADV_COLLAPSE calls that succeeded */
	u32 v1_chunks;		/* times vCPU 1 ran */
};

void ptgen_init(struct ptgen *g, struct kvm_vm *vm, u64 seed,
		const struct ptgen_area *area);
void ptgen_free(struct ptgen *g);
/*
 * Makes @g a nested run (lib/engine_nested.c; before building tables):
 * the tables are @l2's nested page table, the script runs in L2.
 */
void ptgen_nested(struct ptgen *g, struct nested_l2 *l2);

/*
 * The @k-th tagged page of the sparse range (at a different 4 KiB of its
 * stride each, so that its PTE index varies), or 0 past its end.
 */
u64 ptgen_sparse_page(const struct ptgen *g, u32 k);

/* A random data page never handed out before. */
u64 ptgen_page(struct ptgen *g);
/* The next unused large page. */
u64 ptgen_large_page(struct ptgen *g);

/* Host setup is done: snapshot memory; the script starts with a CR3 load. */
void ptgen_start(struct ptgen *g);

/* Entry address / value as the ops so far leave the tables. */
u64 ptgen_entry_pa(struct ptgen *g, u64 va, int level);
u64 ptgen_entry(struct ptgen *g, u64 entry_pa);
u64 ptgen_cr3(struct ptgen *g);

void ptgen_op(struct ptgen *g, u32 code, u64 va, u64 value, u32 flags);
void ptgen_read(struct ptgen *g, u64 va);
/* Writes a value no other op writes. */
void ptgen_write(struct ptgen *g, u64 va);
/* The same two at CPL 3. */
void ptgen_user_read(struct ptgen *g, u64 va);
void ptgen_user_write(struct ptgen *g, u64 va);
void ptgen_invlpg(struct ptgen *g, u64 va);
void ptgen_load_cr3(struct ptgen *g, u64 cr3);
/*
 * An op of the second vCPU (g->vcpu1): pending host writes are forced
 * first (vCPU 1's view of them is vCPU 0's rewrite).
 */
void ptgen_vcpu1_op(struct ptgen *g, u32 code, u64 va, u64 value);
/* vCPU 1 reloads its CR3: no stale translation left. */
void ptgen_vcpu1_flush(struct ptgen *g);
/* Before vCPU 0 or the host changes the entry at @entry_pa (see .c). */
void ptgen_note_edit(struct ptgen *g, u64 entry_pa);
/*
 * Stores @val into the entry at @entry_pa, through @via_va (an alias of
 * the table page, e.g. a recursive window), or through its identity
 * mapping when @via_va is 0.
 */
void ptgen_set_entry(struct ptgen *g, u64 entry_pa, u64 val, u64 via_va);

/*
 * Runs the script on @vcpu and reports one TAP point: every op's outcome
 * as predicted, and the data area's final contents as predicted.  A
 * failure prints the seed and the first mismatches with their walks.
 */
bool ptgen_check(struct ptgen *g, struct kvm_vcpu *vcpu, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same without the TAP point: whether the run was as predicted. */
bool ptgen_verdict(struct ptgen *g, struct kvm_vcpu *vcpu, const char *name);

/*
 * The randomized differential generator: @nr_regions large-page-sized VA
 * regions, two roots, a small pool of shared page tables, then
 * @iterations random ops (map, unmap, retarget, permission change, CR3
 * switch, flush, access), all predicted.  Call before ptgen_start(); it
 * calls ptgen_start() itself.
 */
void ptgen_random(struct ptgen *g, u32 nr_regions, u32 iterations);

/* ---- host-side events at sync points (engine_events.c) ---- */

enum eng_event_code {
	EV_HOST_WRITE,		/* host stores b into the guest entry at a */
	EV_SLOT_RECREATE,	/* memslot @slot deleted and created again */
	EV_SLOT_MOVE,		/* KVM_MR_MOVE away and back */
	EV_SLOT_REPLACE,	/* deleted, created on a copy of its memory */
	EV_DONTNEED,		/* madvise(MADV_DONTNEED) [a, a + b): zeroes */
	EV_MPROTECT,		/* mprotect(PROT_READ) [a, a + b) and back */
	EV_DIRTY_ON,		/* KVM_MEM_LOG_DIRTY_PAGES on @slot */
	EV_DIRTY_OFF,
	EV_DIRTY_GET,		/* every page the guest wrote must be dirty */
	EV_HUGE_BASELINE,	/* KVM's huge mappings (pages_2m + pages_1g,
				 * and pages_1g alone) */
	EV_HUGE_CHECK,		/* at least the baseline again, both; and no
				 * 1 GiB mapping where no memslot has an
				 * aligned GiB (both: a = 1, the guest just
				 * read its 1 GiB leaves: one at least where
				 * a memslot on 1 GiB pages has one) */
	EV_DIRTY_CLEAR,		/* KVM_CLEAR_DIRTY_LOG of pages [a, a + b) of
				 * @slot (manual protect): re-protected */
	EV_COLLAPSE,		/* madvise(MADV_COLLAPSE) [a, a + b) */
	EV_COLLAPSE_CHECK,	/* huge mappings at least the baseline, if
				 * the last MADV_COLLAPSE succeeded */
	EV_PRE_FAULT,		/* KVM_PRE_FAULT_MEMORY [a, a + b) on vCPU 0 */
	EV_MMIO_SLOT,		/* the MMIO RAM becomes memslot @slot (its
				 * contents copied in; a = 1: deleted and
				 * created again at once), or back */
	EV_NR_CODES,
};

struct eng_event {
	u32 code;
	u32 slot;
	u64 a, b;
	u32 op;			/* index of its OP_SYNC */
	u8 *dirty;		/* EV_DIRTY_GET: pages that must be dirty */
};

const char *eng_event_name(u32 code);
/*
 * Emits an OP_SYNC at which the host runs the event, and applies what the
 * event does to guest memory to the mirror now, so that the ops after it
 * are predicted with it.
 */
void ptgen_event(struct ptgen *g, u32 code, u32 slot, u64 a, u64 b);
/*
 * A host write to the guest entry at @entry_pa (bypassing KVM's write
 * tracking): pending until ptgen_force().  A second one forces the first.
 */
void ptgen_host_set_entry(struct ptgen *g, u64 entry_pa, u64 val);
/* The guest rewrites every pending entry itself and reloads CR3. */
void ptgen_force(struct ptgen *g);
/* Runs event @index of @g at its sync point (script_run_sync callback). */
void eng_event_run(void *g, u64 index);
void eng_events_free(struct ptgen *g);

/* ---- randomized steps (engine_random.c) ---- */

enum eng_step_kind {
	STEP_ACCESS,		/* code: OP_READ32 ... OP_USER_WRITE32; va */
	STEP_SET_PTE,		/* table a, entry b = val; flushes */
	STEP_SET_PDE,		/* region a's PDE (current root) = val; CR3 */
	STEP_SET_UPPER,		/* region a's level-3 entry -> table b; CR3 */
	STEP_CR3,		/* load root a */
	STEP_WP,		/* CR0.WP = val */
	STEP_READ_ENTRY,	/* read back the level-a entry of va: A/D */
	STEP_HOST_PTE,		/* host writes table a entry b = val */
	STEP_HOST_PDE,		/* host writes region a's PDE in root b */
	STEP_FORCE,		/* guest rewrites the host-written entries */
	STEP_EVENT,		/* event code on slot a, range va + val */
	STEP_VCPU1,		/* vCPU 1 runs code (access, INVLPG, CR3 of
				 * root a) at va, or (b = 1) at a VA that maps
				 * through the entry vCPU 0 changed last */
	STEP_CR4,		/* CR4.SMEP (a = 0) or CR4.SMAP (a = 1) = val */
	STEP_AC,		/* EFLAGS.AC = val (STAC / CLAC) */
	STEP_PROBE,		/* region a's PTE b (its PDE's table) = val,
				 * then code's 4-bit items (ENG_PROBE_ITEMS:
				 * accesses and control toggles, lowest
				 * first) at offset va of that page */
	STEP_UPPER_PERM,	/* region a's level-b entry: U/W bits = val */
	STEP_PSE,		/* CR4.PSE=0, code's 4-bit accesses (probe
				 * items) on page b of region a (the first
				 * from a with a large PDE) at offset va, then
				 * CR4.PSE=1 and each VA read again */
	STEP_GIANT,		/* the 1 GiB window: code an access of its
				 * sparse page a at offset va; code 0: root
				 * b's level-3 entry a directory (val 1) or
				 * the leaf again (val 0); CR3 */
	STEP_NR_KINDS,
};

struct eng_step {
	u32 kind;
	u32 code;
	u32 a, b;
	u64 va;
	u64 val;
};

struct eng_steps {
	struct eng_step *v;
	u32 nr, cap;
};

/* What a randomized run draws from (tests/fuzz sets them per point). */
struct eng_params {
	u32 nr_regions;		/* up to ENG_MAX_REGIONS */
	u32 nr_steps;
	u32 large_pct;		/* PDEs drawn as large pages (percent) */
	bool wide_va;		/* regions over the whole VA space (64, la57) */
	bool guest_extras;	/* CR0.WP toggles, A/D read back */
	bool host_events;	/* host entry writes, memslots, madvise, ... */
	bool fetch;		/* instruction fetches, NX (first
				 * ENG_CODE_PAGES data pages hold RETs) */
	bool alias;		/* tables also used at other levels, read
				 * through large pages, PDPTEs retargeted */
	u64 window;		/* huge-page window VA (0: none) */
	u64 window_pa, window_size;	/* backed by a huge memslot */
	u32 window_slot;
	u32 edge_slot;		/* the window's last part (0: none), so that
				 * a large page spans two memslots */
	/*
	 * The 1 GiB window (0: none; modes with 1 GiB leaves): VA @giant
	 * mapped by a level-3 leaf at @giant_pa (1 GiB aligned) in every
	 * root, over memslot @giant_slot, which starts at @giant_pa or 2 MiB
	 * above it (KVM may map it 1 GiB only in the first case).  Accessed
	 * at area.sparse's pages only; the steps also turn the leaf into a
	 * directory of 2 MiB pages in another order and back.
	 */
	u64 giant, giant_pa;
	u32 giant_slot;
	u32 data_slot;		/* memslot of area.data_lo..data_hi */
	bool two_vcpus;		/* a second vCPU on the same tables
				 * (g->vcpu1 set by the caller) */
	bool perm;		/* CR4.SMEP/SMAP (where CPUID has them),
				 * EFLAGS.AC, U/W of upper levels, and probes:
				 * a PTE set, then accesses of every kind
				 * and control toggles on its page */
	bool smep_fixed;	/* perm, but CR4.SMEP stays as it entered */
	bool pse_toggle;	/* non-PAE: STEP_PSE, large PDEs read as
				 * page tables while CR4.PSE=0 */
	bool pse_keep_pdes;	/* STEP_PSE without rewriting the large PDEs
				 * around it (see emit_pse()) */
	bool smap_ac_writes;	/* keep the writes of smap_ac_trap() */
	/*
	 * EV_MMIO_SLOT's memslot (0: none; area.mmio_lo set): now and then
	 * the MMIO RAM turns into memory (a memslot on a copy of it) or
	 * back, and the VAs that last reached it are read again.
	 */
	u32 mmio_slot;
	/*
	 * The memslot made of the MMIO RAM is not recreated at once: KVM's
	 * shadow MMU then keeps MMIO sptes for it (tests/known-issues:
	 * mmio-spte-sync-memslot), which the recreation's zap retires.
	 */
	bool mmio_raw;
};

#define ENG_MAX_REGIONS	16
#define ENG_NR_ROOTS	2
#define ENG_NR_TABLES	6
#define ENG_CODE_PAGES	8
#define ENG_NR_HOT	12
#define ENG_PROBE_ITEMS	6
#define ENG_MMIO_VAS	8

/* The fixed part of a randomized run: tables built from the seed. */
struct eng_random {
	struct ptgen *g;
	struct eng_params prm;
	enum paging_mode mode;
	u32 nr_regions;
	u64 region[ENG_MAX_REGIONS];
	u64 roots[ENG_NR_ROOTS];
	u64 tables[ENG_NR_TABLES];
	u32 nr_entries;		/* entries per table */
	u64 large;		/* bytes one level-2 entry maps */
	bool dirty_on;
	u64 last_va;		/* of the last access drawn */
	u32 hot[ENG_NR_HOT];	/* entry indices drawn half the time */
	/*
	 * The added steps (vCPU 1, dirty-log CLEAR, MADV_COLLAPSE) come from
	 * a stream of their own and are drawn beside the others, so that a
	 * seed's vCPU 0 steps stay what they were before them (the mutants
	 * proven on them stay caught).
	 */
	struct rng extra;
	/* The same for the permission steps (prm.perm): a stream of theirs. */
	struct rng perm;
	/* And for STEP_PSE (prm.pse_toggle). */
	struct rng pse;
	/* And for STEP_GIANT (prm.giant). */
	struct rng giant;
	/* And for the leaves into MMIO RAM and EV_MMIO_SLOT. */
	struct rng mmio;
	u64 mmio_va[ENG_MMIO_VAS];	/* VAs whose accesses reached it */
	u32 nr_mmio_va;
	/* The 1 GiB window's directory of 2 MiB pages (map_giant()). */
	u64 giant_pd;
	/* A STEP_PSE read a large page as a table: no huge checks after. */
	bool pse_tables;
	/* The entry vCPU 0 changed last: table t entry idx, or a PDE. */
	bool edit_pde;
	u32 edit_table, edit_idx, edit_region;
};

void eng_steps_push(struct eng_steps *l, const struct eng_step *st);
void eng_steps_free(struct eng_steps *l);
/* Builds the regions, roots and tables from g->seed; ptgen_start(). */
void eng_random_setup(struct eng_random *r, struct ptgen *g,
		      const struct eng_params *prm);
/* Draws @n steps (from g's generator, after the setup). */
void eng_random_draw(struct eng_random *r, struct eng_steps *out, u32 n);
/* Emits one step's ops (and the flushes it needs) with their predictions. */
void eng_step_emit(struct eng_random *r, const struct eng_step *st);
/* Ends a run: forces pending host writes, turns dirty logging off. */
void eng_random_finish(struct eng_random *r);

/* ---- shrinking and replay (engine_shrink.c) ---- */

/*
 * Runs @steps on a fresh setup and says whether it fails (the engine's
 * TAP diagnostics are muted while shrinking).
 */
typedef bool (*eng_trial_fn)(void *opaque, const struct eng_steps *steps,
			     bool verbose);
/*
 * Delta debugging (ddmin): the smallest sub-list of @steps (1-minimal in
 * whole steps) on which @fails still fails, within @max_trials runs and
 * @max_seconds (what is left when either runs out still fails).
 */
void eng_shrink(struct eng_steps *steps, eng_trial_fn fails, void *opaque,
		u32 max_trials, u32 max_seconds);
/* One step as a reproducer line ("HOST_PTE 0 3 11 0 8000e7", hex). */
void eng_step_format(const struct eng_step *st, char *buf, size_t size);
/* Parses eng_step_format() output; false on a malformed line. */
bool eng_step_parse(const char *line, struct eng_step *st);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Op scripts and their predicted outcomes (see abi/ops.h).
 *
 * A test builds a script, predicts it on a mirror of guest memory with the
 * reference walker, runs it in the guest's op interpreter, and compares:
 * every op's outcome (value read, or exception, error code and CR2) and
 * the final contents of the memory it cares about.  Physical pages carry
 * tags (each 4-byte word holds its own PA | 1), so a value read names the
 * physical address it came from.
 *
 * The prediction models no TLB: scripts must flush (INVLPG, CR3 write)
 * after changing a present entry, as an OS would, so that every correct
 * CPU and hypervisor gives exactly the predicted result.
 */
#ifndef KMT_ORACLE_H
#define KMT_ORACLE_H

#include "abi/ops.h"
#include "abi/percpu.h"
#include "kvm.h"

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

struct prediction {
	u32 nr;
	u32 cap;
	struct guest_op_result *res;
	struct pg_walk *walks;	/* per op; nr_steps 0 for non-accesses */
	u8 *mirror;		/* memslot 0 as the ops so far leave it */
	u64 size;
	u64 cr3;		/* CR3 after the ops so far */
	struct pgtable pt;	/* the VM's tables, over the mirror */
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

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The engine's nested runs (lib/engine.h): the script of a struct ptgen
 * runs in L2 under L1's nested page table instead of in op_interp.
 *
 *   accesses      L2_ACCESS_LIST (guest_code/l2_code.S), in batches, at
 *                 the L2 linear addresses of the script's L2 GPAs (L2's
 *                 own paging, lib/nested.h); a nested page fault ends the
 *                 batch at the faulting access, which gets the fault L1
 *                 saw (at the GPA) as its result, and the batch goes on
 *                 from the next access
 *   OPF_L1 stores L1_CMD_EDIT: L1 itself writes its NPT/EPT entries, so
 *                 that KVM's write tracking of L1's table pages sees them
 *   INVLPG, CR3   L1 flushes L2's translations at the next entry (SVM
 *                 TLB_CONTROL, VMX INVEPT), a CR3 load also loads nCR3 /
 *                 EPTP with the new root
 *   OP_SYNC       the host event, between two L2 runs
 *
 * Every op is in order: a batch runs before the next edit, flush or event.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "guest.h"
#include "nested.h"
#include "tap.h"
#include "test_util.h"

#define BATCH	256	/* L2 accesses per L2_ACCESS_LIST */
#define EDITS	64	/* L1 stores per L1_CMD_EDIT */

struct nested_run {
	struct ptgen *g;
	struct nested_l2 *l2;
	struct guest_op_result *out;
	struct l2_access *list;
	u32 *res;
	struct l1_edit *edits;
	u64 list_gpa, res_gpa, edits_gpa;
	u32 from[BATCH];	/* script index of each batch entry */
	u32 nr, nr_edits;
	u64 root;		/* nested root to load, 0: the same */
	bool flush;		/* an edit, INVLPG or CR3 load since the last run */
	u32 l2_runs, faults, accesses;
};

static void send_edits(struct nested_run *n)
{
	if (!n->nr_edits && !n->root && !n->flush)
		return;
	nested_l1_edit(n->l2, n->edits_gpa, n->nr_edits, n->root);
	n->nr_edits = 0;
	n->root = 0;
	n->flush = false;
}

/* Runs the pending accesses; false when L2 or L1 went astray. */
static bool run_batch(struct nested_run *n)
{
	struct nested_regs regs;
	struct nested_exit x;
	u32 first = 0, i, vector, code;
	u64 gpa;

	if (!n->nr)
		return true;
	send_edits(n);
	while (first < n->nr) {
		regs = (struct nested_regs){
			.rsi = nested_l2_va(n->l2, n->list_gpa), .rcx = n->nr,
			.rdx = nested_l2_va(n->l2, n->res_gpa), .rdi = first };
		n->l2_runs++;
		if (!nested_l2_enter(n->l2, L2_ACCESS_LIST, &regs, &x))
			return false;
		if (!nested_exit_fault(n->l2, &x, &vector, &code, &gpa)) {
			/* Done (VMMCALL/VMCALL), or a diagnostic of the exit. */
			if (n->l2->ops->exit_ok(&x))
				break;
			tap_diag("L2 exited at its access %u of the batch from script op %u",
				 (u32)regs.rdi, n->from[0]);
			return false;
		}
		i = (u32)regs.rdi;
		if (i < first || i >= n->nr) {
			tap_diag("a nested page fault at L2 GPA 0x%" PRIx64 " with L2's index %u outside its batch [%u, %u)",
				 gpa, i, first, n->nr);
			return false;
		}
		n->faults++;
		n->out[n->from[i]] = (struct guest_op_result){
			.vector = vector, .error_code = code, .cr2 = gpa };
		first = i + 1;
	}
	for (i = 0; i < n->nr; i++) {
		struct guest_op_result *r = &n->out[n->from[i]];

		if (r->vector == FAULT_NONE && !(n->list[i].addr & L2_ACCESS_WRITE))
			r->value = n->res[i];
	}
	n->nr = 0;
	return true;
}

static bool run_op(struct nested_run *n, const struct guest_op *op, u32 i)
{
	bool write = op->code == OP_WRITE32 || op->code == OP_USER_WRITE32;

	if (op->flags & OPF_L1) {
		if (!run_batch(n))
			return false;
		if (n->nr_edits == EDITS)
			send_edits(n);
		n->edits[n->nr_edits++] = (struct l1_edit){ op->va, op->value };
		n->flush = true;
		return true;
	}
	switch (op->code) {
	case OP_READ32:
	case OP_USER_READ32:
	case OP_WRITE32:
	case OP_USER_WRITE32:
		TEST_ASSERT(op->va < (1ULL << 32) && !(op->va & 3),
			    "L2 access at GPA 0x%" PRIx64 ": L2 has 32-bit aligned addresses only",
			    op->va);
		n->list[n->nr] = (struct l2_access){
			(u32)nested_l2_va(n->l2, op->va) |
			(write ? L2_ACCESS_WRITE : 0), (u32)op->value };
		n->from[n->nr++] = i;
		n->accesses++;
		return n->nr < BATCH || run_batch(n);
	case OP_WRITE_CR3:
		if (!run_batch(n))
			return false;
		n->root = op->value;
		n->flush = true;
		return true;
	case OP_INVLPG:
		if (!run_batch(n))
			return false;
		n->flush = true;
		return true;
	case OP_SYNC:
		if (!run_batch(n))
			return false;
		send_edits(n);
		eng_event_run(n->g, op->value);
		return true;
	default:
		TEST_ASSERT(false, "op %u (code %u) has no meaning in a nested run",
			    i, op->code);
	}
	return false;
}

static bool nested_script_run(struct ptgen *g, struct guest_op_result *out)
{
	struct kvm_vm *vm = g->vm;
	struct nested_run n = { .g = g, .l2 = g->l2, .out = out };
	bool ok = true;
	u32 i;

	vm_arena_reset(vm);
	n.list_gpa = vm_arena_alloc(vm, BATCH * sizeof(*n.list));
	n.res_gpa = vm_arena_alloc(vm, BATCH * sizeof(*n.res));
	n.edits_gpa = vm_arena_alloc(vm, EDITS * sizeof(*n.edits));
	n.list = gpa_to_hva(vm, n.list_gpa);
	n.res = gpa_to_hva(vm, n.res_gpa);
	n.edits = gpa_to_hva(vm, n.edits_gpa);
	for (i = 0; i < g->s.nr; i++)
		out[i] = (struct guest_op_result){ .vector = FAULT_NONE };
	for (i = 0; ok && i < g->s.nr; i++)
		ok = run_op(&n, &g->s.ops[i], i);
	if (ok)
		ok = run_batch(&n);
	g->l2_runs = n.l2_runs;
	g->l2_faults = n.faults;
	g->l2_accesses = n.accesses;
	if (!ok)
		tap_diag("the nested run stopped at script op %u of %u", i, g->s.nr);
	return ok;
}

void ptgen_nested(struct ptgen *g, struct nested_l2 *l2)
{
	g->l2 = l2;
	g->pt = &l2->npt;
	g->all_user = !l2->npt.ept;	/* APM 15.25.5: NPT walks are user */
	g->run = nested_script_run;
}

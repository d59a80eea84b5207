// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine.h"
#include "guest.h"
#include "tap.h"
#include "test_util.h"
#include "ucall.h"

static const char *const op_names[OP_NR_CODES] = {
	"END", "READ32", "WRITE32", "WRITE64", "INVLPG", "WRITE_CR3", "SYNC",
	"USER_READ32", "USER_WRITE32", "SET_WP", "FETCH", "SET_CR4", "SET_AC",
};

static bool is_access(u32 code)
{
	return (code >= OP_READ32 && code <= OP_WRITE64) ||
	       code == OP_USER_READ32 || code == OP_USER_WRITE32 ||
	       code == OP_FETCH;
}

static bool is_read(u32 code)
{
	return code == OP_READ32 || code == OP_USER_READ32;
}


/* The PFERR_ bits of an access op, as the walker takes them. */
static u32 op_access(const struct guest_op *op)
{
	u32 access = is_read(op->code) ? 0 : PFERR_W;

	if (op->code == OP_FETCH)
		return PFERR_F;
	if (op->code == OP_USER_READ32 || op->code == OP_USER_WRITE32)
		access |= PFERR_U;
	return access;
}

/* The same for the walker of @p (NPT: every access is a user one). */
static u32 walk_access(const struct prediction *p, const struct guest_op *op)
{
	return op_access(op) | (p->all_user ? PFERR_U : 0);
}

void script_init(struct op_script *s)
{
	memset(s, 0, sizeof(*s));
}

void script_free(struct op_script *s)
{
	free(s->ops);
	script_init(s);
}

void script_op(struct op_script *s, u32 code, u64 va, u64 value)
{
	u64 align = code == OP_WRITE64 ? 8 : 4;

	TEST_ASSERT(code < OP_NR_CODES, "bad op %u", code);
	TEST_ASSERT(!(is_access(code) && (va & (align - 1))),
		    "%s at unaligned VA 0x%llx", op_names[code],
		    (unsigned long long)va);
	if (s->nr == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->ops = realloc(s->ops, s->cap * sizeof(*s->ops));
		TEST_ASSERT(s->ops, "out of memory");
	}
	s->ops[s->nr++] = (struct guest_op){ .code = code, .va = va,
					     .value = value };
}

void script_read(struct op_script *s, u64 va)
{
	script_op(s, OP_READ32, va, 0);
}

void script_write(struct op_script *s, u64 va, u32 value)
{
	script_op(s, OP_WRITE32, va, value);
}

void script_invlpg(struct op_script *s, u64 va)
{
	script_op(s, OP_INVLPG, va, 0);
}

void script_write_cr3(struct op_script *s, u64 cr3)
{
	script_op(s, OP_WRITE_CR3, 0, cr3);
}

void script_write_entry(struct op_script *s, const struct pgtable *pt,
			u64 entry_pa, u64 val)
{
	TEST_ASSERT(entry_pa < LAYOUT_RUNTIME_END,
		    "entry at PA 0x%llx is not identity mapped",
		    (unsigned long long)entry_pa);
	if (pg_entry_size(pt->mode) == 8)
		script_op(s, OP_WRITE64, entry_pa, val);
	else
		script_op(s, OP_WRITE32, entry_pa, (u32)val);
}

bool tag_decode(u32 v, u64 *pa)
{
	if ((v & 3) != 1)
		return false;
	*pa = v & ~3U;
	return true;
}

/* Page by page: the range may span memslots (whose hvas are apart). */
void fill_tags(struct kvm_vm *vm, u64 gpa, u64 size)
{
	u32 *p = NULL;
	u64 i;

	for (i = 0; i < size / 4; i++) {
		u64 pa = gpa + 4 * i;

		if (!p || !(pa & (PAGE_SIZE_4K - 1)))
			p = gpa_to_hva(vm, pa);
		*p++ = tag_of(pa);
	}
}

static void *mirror_hva(void *opaque, u64 pa)
{
	struct prediction *p = opaque;

	if (pa >= p->size || !__gpa_to_hva(p->vm, pa))
		return NULL;
	return p->mirror + pa;
}

static u64 mirror_alloc(void *opaque)
{
	(void)opaque;
	TEST_ASSERT(false, "the prediction never allocates tables");
}

/*
 * The walk as it would be before the pending host writes: their entries
 * back at their old values, nothing set (KVM or the TLB may still hold
 * that translation).
 */
static int walk_before_host_writes(struct prediction *p, u64 va, u32 access,
				   struct pg_walk *w)
{
	u64 now[ENG_MAX_STALE];
	int ret;
	u32 i;

	for (i = 0; i < p->nr_stale; i++) {
		now[i] = pg_read_entry(&p->pt, p->stale[i].entry_pa);
		pg_write_entry(&p->pt, p->stale[i].entry_pa, p->stale[i].old);
	}
	ret = pg_walk(&p->pt, p->cr3, va, access, false, w);
	while (i--)
		pg_write_entry(&p->pt, p->stale[i].entry_pa, now[i]);
	return ret;
}

/* vCPU 1 may still translate @va with its pending entry's old value. */
static bool v1_stale(const struct prediction *p, u64 va)
{
	u32 i;

	if (!p->v1.pending)
		return false;
	for (i = 0; i < p->v1.nr_fresh; i++)
		if (p->v1.fresh[i] == ALIGN_DOWN(va, PAGE_SIZE_4K))
			return false;
	return true;
}

static int walk_before_v1_edit(struct prediction *p, u64 va, u32 access,
			       struct pg_walk *w)
{
	u64 now = pg_read_entry(&p->pt, p->v1.entry_pa);
	int ret;

	pg_write_entry(&p->pt, p->v1.entry_pa, p->v1.old);
	ret = pg_walk(&p->pt, p->cr3, va, access, false, w);
	pg_write_entry(&p->pt, p->v1.entry_pa, now);
	return ret;
}

/* Whether @op (of the vCPU now in p->cr3) has a second outcome. */
static bool ambiguous_op(const struct prediction *p, const struct guest_op *op)
{
	if (op->flags & OPF_VCPU1)
		return v1_stale(p, op->va);
	return p->nr_stale;
}

static int walk_alt(struct prediction *p, const struct guest_op *op,
		    u32 access, struct pg_walk *w)
{
	if (op->flags & OPF_VCPU1)
		return walk_before_v1_edit(p, op->va, access, w);
	return walk_before_host_writes(p, op->va, access, w);
}

static void swap_bool(bool *a, bool *b)
{
	bool t = *a;

	*a = *b;
	*b = t;
}

/*
 * Predicting an op of vCPU 1: its CR3, CR0.WP, CR4.PSE/SMEP/SMAP and
 * EFLAGS.AC in the walker's place.
 */
static void swap_vcpu(struct prediction *p, const struct guest_op *op)
{
	u64 cr3 = p->cr3;

	if (!(op->flags & OPF_VCPU1))
		return;
	p->cr3 = p->v1.cr3;
	p->v1.cr3 = cr3;
	swap_bool(&p->pt.wp, &p->v1.wp);
	swap_bool(&p->pt.smep, &p->v1.smep);
	swap_bool(&p->pt.smap, &p->v1.smap);
	swap_bool(&p->pt.ac, &p->v1.ac);
	swap_bool(&p->pt.pse_off, &p->v1.pse_off);
}

static void outcome_of_walk(struct prediction *p, const struct guest_op *op,
			    int fault, const struct pg_walk *w,
			    struct guest_op_result *r)
{
	if (fault) {
		r->vector = w->vector;
		r->error_code = w->vector == VEC_PF ? w->error_code : 0;
		/* An EPT misconfiguration exit names the GPA too. */
		r->cr2 = w->vector == VEC_PF || w->vector == VEC_EPT_MISCONFIG ?
			 op->va : 0;
		return;
	}
	TEST_ASSERT(w->pa + 8 <= p->size && mirror_hva(p, w->pa),
		    "VA 0x%llx maps PA 0x%llx outside the mirrored memslots",
		    (unsigned long long)op->va, (unsigned long long)w->pa);
	if (is_read(op->code))
		r->value = *(u32 *)(p->mirror + w->pa);
}

u32 predict_targets(struct prediction *p, const struct guest_op *op,
		    u64 pa[2])
{
	struct pg_walk w;
	u32 n = 0;

	if (!is_access(op->code))
		return 0;
	swap_vcpu(p, op);
	if (!pg_walk(&p->pt, p->cr3, op->va, walk_access(p, op), false, &w))
		pa[n++] = w.pa;
	if (ambiguous_op(p, op) && !walk_alt(p, op, walk_access(p, op), &w))
		pa[n++] = w.pa;
	swap_vcpu(p, op);
	return n;
}

bool predict_ambiguous(const struct prediction *p, const struct guest_op *op)
{
	return ambiguous_op(p, op);
}

bool predict_pa_mirrored(struct prediction *p, u64 pa)
{
	return pa + 8 <= p->size && mirror_hva(p, pa);
}

/* A write that lands at @pa, in the mirror. */
static void store(struct prediction *p, const struct guest_op *op, u64 pa)
{
	TEST_ASSERT(predict_pa_mirrored(p, pa),
		    "a store to PA 0x%llx outside the mirrored memslots",
		    (unsigned long long)pa);
	if (op->code != OP_WRITE64)
		*(u32 *)(p->mirror + pa) = (u32)op->value;
	else
		*(u64 *)(p->mirror + pa) = op->value;
	if (p->written)
		p->written[pa / PAGE_SIZE_4K / 8] |= 1 << (pa / PAGE_SIZE_4K % 8);
}

static void predict_access(struct prediction *p, const struct guest_op *op,
			   struct guest_op_result *r, struct pg_walk *w)
{
	bool ambiguous = ambiguous_op(p, op);
	int fault;

	if (op->flags & OPF_VCPU1)
		p->v1.accessed = true;
	if (ambiguous) {
		struct pg_walk old;
		struct guest_op_result *alt = &p->alt[p->nr - 1];

		*alt = (struct guest_op_result){ .vector = FAULT_NONE };

		fault = walk_alt(p, op, walk_access(p, op), &old);
		outcome_of_walk(p, op, fault, &old, alt);
		p->ambiguous[p->nr - 1] = 1;
	}
	/*
	 * While a host write (or, for vCPU 1, an edit it has not flushed)
	 * is pending the mirror sets no A/D bits: the access may have used
	 * the old entries (generators emit no writes then).
	 */
	fault = pg_walk(&p->pt, p->cr3, op->va, walk_access(p, op), !ambiguous, w);
	outcome_of_walk(p, op, fault, w, r);
	if (fault || is_read(op->code) || op->code == OP_FETCH)
		return;
	store(p, op, w->pa);
}

void predict_begin(struct kvm_vm *vm, u64 cr3, struct prediction *p)
{
	predict_begin_tables(vm, &vm->pt, cr3, p);
}

void predict_begin_tables(struct kvm_vm *vm, const struct pgtable *pt,
			  u64 cr3, struct prediction *p)
{
	predict_begin_sparse(vm, pt, cr3, p, 0, 0);
}

void predict_begin_sparse(struct kvm_vm *vm, const struct pgtable *pt,
			  u64 cr3, struct prediction *p, u64 sparse_lo,
			  u64 sparse_hi)
{
	u32 i;

	memset(p, 0, sizeof(*p));
	p->vm = vm;
	for (i = 0; i < KVM_MAX_TEST_SLOTS; i++) {
		struct kvm_memslot *m = &vm->slots[i];

		if (m->used && m->gpa + m->mem.size > p->size)
			p->size = m->gpa + m->mem.size;
	}
	/* The MMIO RAM is memory to the prediction, served by the test. */
	if (vm->mmio.size && vm->mmio.gpa + vm->mmio.size > p->size)
		p->size = vm->mmio.gpa + vm->mmio.size;
	TEST_ASSERT(p->size <= ENG_MIRROR_MAX,
		    "guest memory up to 0x%llx is too much to mirror",
		    (unsigned long long)p->size);
	/* Reserved, not allocated: a sparse GiB costs what is written. */
	p->mirror = mmap(NULL, p->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(p->mirror != MAP_FAILED, "mmap of a %llu MiB mirror: %m",
		    (unsigned long long)(p->size >> 20));
	p->written = calloc(1, p->size / PAGE_SIZE_4K / 8 + 1);
	TEST_ASSERT(p->written, "out of memory");
	for (i = 0; i < KVM_MAX_TEST_SLOTS; i++) {
		struct kvm_memslot *m = &vm->slots[i];
		u64 lo = m->gpa, hi = m->gpa + m->mem.size;

		if (!m->used)
			continue;
		/* The part of the slot below and above the sparse range. */
		if (sparse_hi > sparse_lo && lo < sparse_hi && hi > sparse_lo) {
			if (lo < sparse_lo)
				memcpy(p->mirror + lo, m->mem.hva, sparse_lo - lo);
			if (hi > sparse_hi)
				memcpy(p->mirror + sparse_hi,
				       (u8 *)m->mem.hva + (sparse_hi - lo),
				       hi - sparse_hi);
			continue;
		}
		memcpy(p->mirror + lo, m->mem.hva, m->mem.size);
	}
	if (vm->mmio.size)
		memcpy(p->mirror + vm->mmio.gpa, vm->mmio.buf, vm->mmio.size);
	p->pt = *pt;
	p->pt.phys = (struct pg_phys){ mirror_hva, mirror_alloc, p };
	p->cr3 = cr3;
	/* Both vCPUs enter with the same CR0 (lib/guest.c). */
	p->v1.cr3 = cr3;
	p->v1.wp = p->pt.wp;
	p->v1.smep = p->pt.smep;
	p->v1.smap = p->pt.smap;
	p->v1.ac = p->pt.ac;
	p->v1.pse_off = p->pt.pse_off;
}

/* vCPU 1 flushed: the whole TLB (CR3 load) or one VA (INVLPG). */
static void v1_flush(struct prediction *p, const struct guest_op *op)
{
	if (op->code == OP_WRITE_CR3) {
		p->v1.pending = false;
		p->v1.nr_fresh = 0;
		return;
	}
	/*
	 * PAE PDPTEs are loaded with CR3 only: INVLPG refreshes no PDPTE.
	 * A full list: the rest stay ambiguous (less checked, still right).
	 */
	if (p->v1.pending && p->pt.mode != PAGING_PAE &&
	    p->v1.nr_fresh < ENG_V1_FRESH)
		p->v1.fresh[p->v1.nr_fresh++] = ALIGN_DOWN(op->va, PAGE_SIZE_4K);
}

/* OP_SET_CR4: the bits of its mask the walker knows of. */
static void set_cr4(struct prediction *p, const struct guest_op *op)
{
	if (op->va & OP_CR4_PSE)
		p->pt.pse_off = !(op->value & OP_CR4_PSE);
	if (op->va & OP_CR4_SMEP)
		p->pt.smep = op->value & OP_CR4_SMEP;
	if (op->va & OP_CR4_SMAP)
		p->pt.smap = op->value & OP_CR4_SMAP;
}

void predict_op(struct prediction *p, const struct guest_op *op)
{
	struct guest_op_result *r;
	struct pg_walk *w;

	if (p->nr == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 256;
		p->res = realloc(p->res, p->cap * sizeof(*p->res));
		p->alt = realloc(p->alt, p->cap * sizeof(*p->alt));
		p->walks = realloc(p->walks, p->cap * sizeof(*p->walks));
		p->ambiguous = realloc(p->ambiguous, p->cap);
		TEST_ASSERT(p->res && p->alt && p->walks && p->ambiguous,
			    "out of memory");
	}
	p->ambiguous[p->nr] = 0;
	r = &p->res[p->nr];
	w = &p->walks[p->nr++];
	memset(r, 0, sizeof(*r));
	memset(w, 0, sizeof(*w));
	r->vector = FAULT_NONE;
	swap_vcpu(p, op);
	if (op->flags & OPF_L1)
		store(p, op, op->va);	/* physical: no walk */
	else if (is_access(op->code))
		predict_access(p, op, r, w);
	else if (op->code == OP_WRITE_CR3)
		p->cr3 = op->value;
	else if (op->code == OP_SET_WP)
		p->pt.wp = op->value;
	else if (op->code == OP_SET_CR4)
		set_cr4(p, op);
	else if (op->code == OP_SET_AC)
		p->pt.ac = op->value;
	if ((op->flags & OPF_VCPU1) &&
	    (op->code == OP_WRITE_CR3 || op->code == OP_INVLPG))
		v1_flush(p, op);
	swap_vcpu(p, op);
}

void predict(struct kvm_vm *vm, const struct op_script *s, u64 cr3,
	     struct prediction *p)
{
	u32 i;

	predict_begin(vm, cr3, p);
	for (i = 0; i < s->nr; i++)
		predict_op(p, &s->ops[i]);
}

void prediction_free(struct prediction *p)
{
	if (p->mirror)
		munmap(p->mirror, p->size);
	free(p->written);
	free(p->res);
	free(p->alt);
	free(p->ambiguous);
	free(p->walks);
	memset(p, 0, sizeof(*p));
}

/*
 * A hung script: the op the guest was running (the guest counts the ops
 * it completed) and its walk through the guest's tables as they are now,
 * which is what the reference walker predicts for it at this point.
 */
static void report_op_in_flight(struct kvm_vcpu *vcpu,
				const struct op_script *s, u32 done)
{
	const struct guest_op *op = &s->ops[done];
	struct kvm_vm *vm = vcpu->vm;
	struct kvm_sregs sregs;
	struct pg_walk w;
	char walk[2048];

	if (done >= s->nr) {
		tap_diag("all %u ops of the script completed before the hang", s->nr);
		return;
	}
	tap_diag("op in flight: op %u of %u, %s VA 0x%" PRIx64 " value 0x%" PRIx64 " (op %u was the last completed)",
		 done, s->nr, op_names[op->code], op->va, op->value, done - 1);
	if (!vm->pt.root || !is_access(op->code))
		return;
	vcpu_get_sregs(vcpu, &sregs);
	pg_walk(&vm->pt, sregs.cr3, op->va, op_access(op), false, &w);
	pg_walk_format(&vm->pt, &w, walk, sizeof(walk));
	tap_diag("its walk in the guest's tables now (CR3 0x%llx): %s",
		 sregs.cr3, walk);
}

bool script_run(struct kvm_vcpu *vcpu, const struct op_script *s,
		struct guest_op_result *out)
{
	return script_run_sync(vcpu, s, out, NULL, NULL);
}

bool script_run_sync(struct kvm_vcpu *vcpu, const struct op_script *s,
		     struct guest_op_result *out,
		     void (*on_sync)(void *opaque, u64 value), void *opaque)
{
	struct kvm_vm *vm = vcpu->vm;
	struct guest_percpu *pc = vcpu_percpu(vcpu);
	u64 ops_gpa, res_gpa;
	struct ucall uc;
	char msg[4096];

	vm_arena_reset(vm);
	ops_gpa = vm_arena_alloc(vm, (s->nr + 1) * sizeof(*s->ops));
	res_gpa = vm_arena_alloc(vm, (s->nr + 1) * sizeof(*out));
	memcpy(gpa_to_hva(vm, ops_gpa), s->ops, s->nr * sizeof(*s->ops));
	pc->args[0] = ops_gpa;
	pc->args[1] = s->nr;
	pc->args[2] = res_gpa;
	pc->progress = 0;
	for (;;) {
		u32 cmd = vcpu_run_to_ucall(vcpu, &uc);

		if (cmd == UCALL_DONE)
			break;
		if (cmd == UCALL_SYNC) {
			if (on_sync)
				on_sync(opaque, uc.args[1]);
			continue;
		}
		ucall_format(vcpu, &uc, msg, sizeof(msg));
		tap_diag("%s", msg);
		if (cmd == UCALL_HANG)
			report_op_in_flight(vcpu, s, pc->progress);
		return false;
	}
	memcpy(out, gpa_to_hva(vm, res_gpa), s->nr * sizeof(*out));
	return true;
}

/* One vCPU's share of a two-vCPU script, and where its ops came from. */
struct half {
	struct kvm_vcpu *vcpu;
	struct op_script s;
	u32 *from;		/* index in the whole script; ~0U: added sync */
	u64 res_gpa;
};

static void half_push(struct half *h, const struct guest_op *op, u32 from)
{
	script_op(&h->s, op->code, op->va, op->value);
	h->s.ops[h->s.nr - 1].flags = op->flags;
	h->from = realloc(h->from, h->s.cap * sizeof(*h->from));
	TEST_ASSERT(h->from, "out of memory");
	h->from[h->s.nr - 1] = from;
}

static void half_start(struct kvm_vm *vm, struct half *h)
{
	struct guest_percpu *pc = vcpu_percpu(h->vcpu);
	u64 ops_gpa = vm_arena_alloc(vm, (h->s.nr + 1) * sizeof(*h->s.ops));

	h->res_gpa = vm_arena_alloc(vm, (h->s.nr + 1) *
				    sizeof(struct guest_op_result));
	memcpy(gpa_to_hva(vm, ops_gpa), h->s.ops, h->s.nr * sizeof(*h->s.ops));
	pc->args[0] = ops_gpa;
	pc->args[1] = h->s.nr;
	pc->args[2] = h->res_gpa;
	pc->progress = 0;
}

/*
 * Runs @h's vCPU to its next sync point or to its end: UCALL_SYNC or
 * UCALL_DONE; anything else is reported (the guest's message) as ~0U.
 */
static u32 half_run(struct half *h, struct ucall *uc)
{
	char msg[4096];
	u32 cmd = vcpu_run_to_ucall(h->vcpu, uc);

	if (cmd == UCALL_SYNC || cmd == UCALL_DONE)
		return cmd;
	ucall_format(h->vcpu, uc, msg, sizeof(msg));
	tap_diag("vCPU %u: %s", h->vcpu->id, msg);
	if (cmd == UCALL_HANG)
		report_op_in_flight(h->vcpu, &h->s,
				    vcpu_percpu(h->vcpu)->progress);
	return ~0U;
}

bool script_run_pair(struct kvm_vcpu *vcpu, struct kvm_vcpu *vcpu1,
		     const struct op_script *s, struct guest_op_result *out,
		     void (*on_sync)(void *opaque, u64 value), void *opaque)
{
	struct guest_op chunk = { .code = OP_SYNC, .value = ENG_SYNC_VCPU1 };
	struct guest_op end = { .code = OP_SYNC };
	struct half h[2] = { { .vcpu = vcpu }, { .vcpu = vcpu1 } };
	struct kvm_vm *vm = vcpu->vm;
	const struct guest_op_result *res;
	bool ok = false;
	struct ucall uc;
	u32 i, k;

	/* Each run of vCPU 1 ops: a chunk, started at a sync of vCPU 0. */
	for (i = 0; i < s->nr; i++) {
		bool one = s->ops[i].flags & OPF_VCPU1;

		if (one && (!i || !(s->ops[i - 1].flags & OPF_VCPU1)))
			half_push(&h[0], &chunk, ~0U);
		half_push(&h[one], &s->ops[i], i);
		if (one && (i + 1 == s->nr || !(s->ops[i + 1].flags & OPF_VCPU1)))
			half_push(&h[1], &end, ~0U);
	}
	vm_arena_reset(vm);
	half_start(vm, &h[0]);
	half_start(vm, &h[1]);
	for (;;) {
		u32 cmd = half_run(&h[0], &uc);

		if (cmd == UCALL_DONE)
			break;
		if (cmd != UCALL_SYNC)
			goto out;
		if (uc.args[1] != ENG_SYNC_VCPU1) {
			if (on_sync)
				on_sync(opaque, uc.args[1]);
			continue;
		}
		if (half_run(&h[1], &uc) != UCALL_SYNC) {
			tap_diag("vCPU 1 did not stop at the end of its chunk");
			goto out;
		}
	}
	if (half_run(&h[1], &uc) != UCALL_DONE) {
		tap_diag("vCPU 1 did not finish its script");
		goto out;
	}
	for (k = 0; k < 2; k++) {
		res = gpa_to_hva(vm, h[k].res_gpa);
		for (i = 0; i < h[k].s.nr; i++)
			if (h[k].from[i] != ~0U)
				out[h[k].from[i]] = res[i];
	}
	ok = true;
out:
	for (k = 0; k < 2; k++) {
		script_free(&h[k].s);
		free(h[k].from);
	}
	return ok;
}

static void describe_outcome(const struct prediction *p,
			     const struct guest_op *op,
			     const struct guest_op_result *r, char *buf,
			     size_t size)
{
	u64 pa;

	if (r->vector == FAULT_NONE && is_access(op->code) && !is_read(op->code))
		snprintf(buf, size, op->code == OP_FETCH ? "the fetch completed" :
						      "the write completed");
	else if (r->vector != FAULT_NONE && p->nested)
		snprintf(buf, size, "%s, %s 0x%x, L2 GPA 0x%" PRIx64,
			 r->vector == VEC_EPT_MISCONFIG ? "EPT misconfiguration" :
			 p->pt.ept ? "EPT violation" : "nested page fault",
			 p->pt.ept ? "qualification bits 5:0" : "EXITINFO1 bits 4:0",
			 r->error_code, r->cr2);
	else if (r->vector != FAULT_NONE)
		snprintf(buf, size, "exception %u, error code 0x%x, CR2 0x%" PRIx64,
			 r->vector, r->error_code, r->cr2);
	else if (tag_decode((u32)r->value, &pa))
		snprintf(buf, size, "value 0x%08" PRIx64 " (tag of PA 0x%" PRIx64 ")",
			 r->value, pa);
	else
		snprintf(buf, size, "value 0x%08" PRIx64, r->value);
}

/*
 * A page-table entry read back (OPF_ENTRY_AD): D exactly as predicted (set
 * by writes through it only), A set wherever a successful walk used it
 * (a CPU may also set it speculatively or on a walk that faults).
 */
static bool same_entry(u64 exp, u64 act)
{
	if ((exp ^ act) & ~PTE_A)
		return false;
	return !(exp & PTE_A) || (act & PTE_A);
}

static bool same_outcome(const struct prediction *p, const struct guest_op *op,
			 const struct guest_op_result *a,
			 const struct guest_op_result *b)
{
	u64 mask = op->flags & OPF_IGNORE_AD ? ~(PTE_A | PTE_D) : ~0ULL;

	if (a->vector != b->vector)
		return false;
	/*
	 * A reserved-bit fault always has P set (SDM 4.7, APM 8.4.2), but
	 * QEMU's TCG leaves it clear in the guest walks it does for an
	 * NPT guest: P is not compared there.
	 */
	if (a->vector == VEC_PF && !p->pt.ept && (a->error_code & PFERR_RSVD))
		return !((a->error_code ^ b->error_code) & ~PFERR_P) &&
		       a->cr2 == b->cr2;
	if (a->vector != FAULT_NONE)
		return a->error_code == b->error_code && a->cr2 == b->cr2;
	if (!is_read(op->code))
		return true;
	if (op->flags & OPF_ENTRY_AD)
		return same_entry(a->value, b->value);
	return !((a->value ^ b->value) & mask);
}

static bool as_predicted(const struct op_script *s, const struct prediction *p,
			 const struct guest_op_result *actual, u32 i)
{
	return same_outcome(p, &s->ops[i], &p->res[i], &actual[i]) ||
	       (p->ambiguous[i] &&
		same_outcome(p, &s->ops[i], &p->alt[i], &actual[i]));
}

static void report_mismatch(const struct op_script *s,
			    const struct prediction *p,
			    const struct guest_op_result *actual, u32 i)
{
	const struct guest_op *op = &s->ops[i];
	char exp[160], act[160], walk[2048];

	describe_outcome(p, op, &p->res[i], exp, sizeof(exp));
	describe_outcome(p, op, &actual[i], act, sizeof(act));
	tap_diag("op %u %s %s 0x%" PRIx64 " value 0x%" PRIx64 ": expected %s; actual %s",
		 i, op_names[op->code], p->nested ? "L2 GPA" : "VA", op->va,
		 op->value, exp, act);
	if (p->ambiguous[i] &&
	    !same_outcome(p, op, &p->res[i], &p->alt[i])) {
		describe_outcome(p, op, &p->alt[i], exp, sizeof(exp));
		tap_diag("  (or, before the pending host write to a page-table entry: %s)", exp);
	}
	pg_walk_format(&p->pt, &p->walks[i], walk, sizeof(walk));
	tap_diag("predicted %s%s", walk,
		 p->nested ? " (PAs: L1 GPAs; a tag value names the L1 GPA it was read from)" : "");
}

u32 compare_results(struct kvm_vm *vm, const struct op_script *s,
		    const struct prediction *p,
		    const struct guest_op_result *actual, u32 max_report)
{
	u32 i, bad = 0;

	(void)vm;	/* the walks are p's */
	for (i = 0; i < s->nr; i++) {
		if (as_predicted(s, p, actual, i))
			continue;
		if (bad++ < max_report)
			report_mismatch(s, p, actual, i);
	}
	if (bad > max_report)
		tap_diag("... %u more mismatching ops", bad - max_report);
	return bad;
}

u32 compare_memory(struct kvm_vm *vm, const struct prediction *p, u64 gpa,
		   u64 size, u32 max_report)
{
	const u32 *exp = (const u32 *)(p->mirror + gpa), *hva = NULL;
	u32 bad = 0, real;
	u64 i, pa;

	TEST_ASSERT(gpa + size <= p->size, "range outside the mirrored memslots");
	for (i = 0; i < size / 4; i++) {
		if (!hva || !((gpa + 4 * i) & (PAGE_SIZE_4K - 1)))
			hva = gpa_to_hva(vm, gpa + 4 * i);
		real = *hva++;
		if (real == exp[i])
			continue;
		if (bad++ >= max_report)
			continue;
		tap_diag("PA 0x%" PRIx64 ": expected 0x%08x, actual 0x%08x%s",
			 gpa + 4 * i, exp[i], real,
			 tag_decode(real, &pa) ? " (a tag: data of another PA)" : "");
	}
	if (bad > max_report)
		tap_diag("... %u more differing words", bad - max_report);
	return bad;
}

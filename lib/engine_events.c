// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-side events at the guest's sync points (see engine.h).
 *
 * What the host does to guest memory behind the guest's back is what KVM
 * cannot see through its own paths: a store to a guest page-table entry
 * through the host mapping (no write-protection fault, so a shadow page
 * built from the old entry may live on), MADV_DONTNEED (the mmu notifier
 * zaps, the page reads back as zeroes), mprotect (a protection-change
 * invalidation), memslot deletion and moves (the whole slot's shadow and
 * TDP pages zapped), dirty logging on and off (write-protection or
 * splitting, then the collapse of huge mappings).  Each event applies its
 * effect on memory to the mirror when it is emitted; at run time it checks
 * the invariants it owns: KVM's dirty bitmap holds every page the guest
 * wrote, huge mappings come back once logging is off.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <errno.h>
#include <sys/ioctl.h>

#include "engine.h"
#include "guest.h"
#include "stats.h"
#include "tap.h"
#include "test_util.h"

static const char *const event_names[EV_NR_CODES] = {
	"HOST_WRITE", "SLOT_RECREATE", "SLOT_MOVE", "SLOT_REPLACE",
	"DONTNEED", "MPROTECT",
	"DIRTY_ON", "DIRTY_OFF", "DIRTY_GET", "HUGE_BASELINE", "HUGE_CHECK",
	"DIRTY_CLEAR", "COLLAPSE", "COLLAPSE_CHECK", "PRE_FAULT", "MMIO_SLOT",
};

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
/* Linux 6.10 uapi, absent from older headers. */
#ifndef KVM_PRE_FAULT_MEMORY
struct kvm_pre_fault_memory {
	__u64 gpa;
	__u64 size;
	__u64 flags;
	__u64 padding[5];
};
#define KVM_PRE_FAULT_MEMORY	_IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)
#endif

/* Where a moved memslot is parked for the moment of the move. */
#define SLOT_PARK_GPA	(1ULL << 36)

const char *eng_event_name(u32 code)
{
	return code < EV_NR_CODES ? event_names[code] : "?";
}

static struct eng_event *new_event(struct ptgen *g)
{
	if (g->nr_ev == g->cap_ev) {
		g->cap_ev = g->cap_ev ? 2 * g->cap_ev : 32;
		g->ev = realloc(g->ev, g->cap_ev * sizeof(*g->ev));
		TEST_ASSERT(g->ev, "out of memory");
	}
	memset(&g->ev[g->nr_ev], 0, sizeof(g->ev[0]));
	return &g->ev[g->nr_ev++];
}

static void slot_range(struct ptgen *g, u32 slot, u64 *lo, u64 *pages)
{
	struct kvm_memslot *m = vm_memslot(g->vm, slot);

	*lo = m->gpa;
	*pages = m->mem.size / PAGE_SIZE_4K;
}

static bool bit(const u8 *map, u64 i)
{
	return map[i / 8] & (1U << (i % 8));
}

/* The pages of @slot the guest wrote since the last reset: now expected. */
static void take_written(struct ptgen *g, struct eng_event *ev)
{
	struct prediction *p = &g->p;
	u64 lo, n, i;

	slot_range(g, ev->slot, &lo, &n);
	ev->dirty = calloc(1, n / 8 + 1);
	TEST_ASSERT(ev->dirty, "out of memory");
	for (i = 0; i < n; i++) {
		u64 page = lo / PAGE_SIZE_4K + i;

		if (!bit(p->written, page))
			continue;
		ev->dirty[i / 8] |= 1U << (i % 8);
		/* Manual protect: the page stays dirty until a CLEAR of it. */
		if (!g->manual_dirty)
			p->written[page / 8] &= ~(1U << (page % 8));
	}
}

/* Pages [first, first + n) of @slot: not expected dirty any more. */
static void forget_pages(struct ptgen *g, u32 slot, u64 first, u64 n)
{
	u64 lo, pages, i;

	slot_range(g, slot, &lo, &pages);
	TEST_ASSERT(first + n <= pages, "pages outside slot %u", slot);
	for (i = lo / PAGE_SIZE_4K + first; i < lo / PAGE_SIZE_4K + first + n; i++)
		g->p.written[i / 8] &= ~(1U << (i % 8));
}

static void forget_written(struct ptgen *g, u32 slot)
{
	u64 lo, n;

	slot_range(g, slot, &lo, &n);
	forget_pages(g, slot, 0, n);
}

/* The event's effect on memory, in the mirror, at emission. */
static void predict_event(struct ptgen *g, struct eng_event *ev)
{
	switch (ev->code) {
	case EV_DONTNEED:
		TEST_ASSERT(ev->a + ev->b <= g->p.size, "DONTNEED outside the mirror");
		memset(g->p.mirror + ev->a, 0, ev->b);
		break;
	case EV_DIRTY_ON:
	case EV_SLOT_RECREATE:
	case EV_SLOT_MOVE:
	case EV_SLOT_REPLACE:
		/* A new slot (or logging just started): a new bitmap. */
		forget_written(g, ev->slot);
		break;
	case EV_DIRTY_GET:
		take_written(g, ev);
		break;
	case EV_DIRTY_CLEAR:
		forget_pages(g, ev->slot, ev->a, ev->b);
		break;
	}
}

void ptgen_event(struct ptgen *g, u32 code, u32 slot, u64 a, u64 b)
{
	struct eng_event *ev = new_event(g);

	TEST_ASSERT(g->started, "events before ptgen_start()");
	ev->code = code;
	ev->slot = slot;
	ev->a = a;
	ev->b = b;
	ev->op = g->s.nr;
	predict_event(g, ev);
	ptgen_op(g, OP_SYNC, 0, g->nr_ev - 1, 0);
}

void ptgen_host_set_entry(struct ptgen *g, u64 entry_pa, u64 val)
{
	struct prediction *p = &g->p;

	if (p->nr_stale == ENG_MAX_STALE)
		ptgen_force(g);
	ptgen_note_edit(g, entry_pa);
	p->stale[p->nr_stale].entry_pa = entry_pa;
	p->stale[p->nr_stale++].old = pg_read_entry(&p->pt, entry_pa);
	pg_write_entry(&p->pt, entry_pa, val);
	ptgen_event(g, EV_HOST_WRITE, 0, entry_pa, val);
}

void ptgen_force(struct ptgen *g)
{
	struct prediction *p = &g->p;
	u32 i;

	if (!p->nr_stale)
		return;
	g->forcing = true;
	for (i = 0; i < p->nr_stale; i++)
		ptgen_set_entry(g, p->stale[i].entry_pa,
				pg_read_entry(&p->pt, p->stale[i].entry_pa), 0);
	p->nr_stale = 0;
	g->forcing = false;
	ptgen_load_cr3(g, ptgen_cr3(g));
}

static void fail(struct ptgen *g, const struct eng_event *ev, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));

static void fail(struct ptgen *g, const struct eng_event *ev, const char *fmt,
		 ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (g->event_failures++ < 6)
		tap_diag("event %s (op %u, slot %u): %s",
			 eng_event_name(ev->code), ev->op, ev->slot, msg);
}

static void set_region(struct ptgen *g, struct kvm_memslot *m, u64 gpa,
		       u64 size)
{
	struct kvm_userspace_memory_region r = {
		.slot = m->slot, .flags = m->flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (u64)(uintptr_t)m->mem.hva,
	};

	vm_ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &r);
}

/*
 * The slot deleted and created again on new host memory holding the same
 * data: whatever KVM still maps of the old memory is a stale mapping.
 */
static void replace_slot(struct ptgen *g, struct kvm_memslot *m)
{
	struct mem_region fresh, old;
	size_t size = m->mem.size;
	char why[256];

	/* Whole pages of the backing, as the slot was allocated. */
	TEST_ASSERT(!mem_region_alloc(&fresh, ALIGN_UP(size, mem_backing_page_size(m->mem.backing)),
				      m->mem.backing, why, sizeof(why)),
		    "new memory for slot %u: %s", m->slot, why);
	fresh.size = size;
	memcpy(fresh.hva, m->mem.hva, size);
	set_region(g, m, m->gpa, 0);
	old = m->mem;
	m->mem = fresh;
	set_region(g, m, m->gpa, m->mem.size);
	mem_region_free(&old);
}

static void check_dirty(struct ptgen *g, const struct eng_event *ev)
{
	struct kvm_memslot *m = vm_memslot(g->vm, ev->slot);
	u64 n = m->mem.size / PAGE_SIZE_4K, i, missed = 0;
	u8 *map = calloc(1, n / 8 + 8);

	TEST_ASSERT(map, "out of memory");
	vm_get_dirty_log(g->vm, ev->slot, map);
	for (i = 0; i < n; i++) {
		if (!bit(ev->dirty, i) || bit(map, i))
			continue;
		if (missed++ < 4)
			fail(g, ev, "GPA 0x%" PRIx64 " was written by the guest since the last GET_DIRTY_LOG but is not in KVM's dirty bitmap",
			     (u64)(m->gpa + i * PAGE_SIZE_4K));
	}
	if (missed > 4)
		fail(g, ev, "... %" PRIu64 " written pages missing from the dirty bitmap in all", missed);
	free(map);
}

/*
 * KVM_CLEAR_DIRTY_LOG with every bit of the range set: the bits go, the
 * pages are write-protected again, so that the guest's next write to
 * each is logged again (the next EV_DIRTY_GET checks it).
 */
static void clear_dirty(struct ptgen *g, const struct eng_event *ev)
{
	u64 *ones = malloc(ev->b / 8 + 8);

	TEST_ASSERT(ones, "out of memory");
	memset(ones, 0xff, ev->b / 8 + 8);
	vm_clear_dirty_log(g->vm, ev->slot, ones, ev->a, (u32)ev->b);
	free(ones);
}

static u64 huge_mappings(struct kvm_vm *vm)
{
	return vm_stat(vm, "pages_2m") + vm_stat(vm, "pages_1g");
}

/*
 * Whether some memslot holds a whole aligned GiB whose host address is
 * congruent to it (@backed: and is on 1 GiB host pages): without one KVM
 * has nothing it may map with a 1 GiB entry (a GiB past a slot's edge,
 * or host and guest addresses apart by less than a GiB, must be mapped
 * smaller); with a backed one and a guest that maps it with a 1 GiB leaf
 * (or TDP), nothing keeps KVM from it once the guest touched it.
 */
static bool slots_allow_1g(struct kvm_vm *vm, bool backed)
{
	u32 i;

	for (i = 0; i < KVM_MAX_TEST_SLOTS; i++) {
		struct kvm_memslot *m = &vm->slots[i];
		u64 first = ALIGN_UP(m->gpa, PAGE_SIZE_1G);

		if (m->used && first + PAGE_SIZE_1G <= m->gpa + m->mem.size &&
		    !((m->gpa ^ (u64)(uintptr_t)m->mem.hva) % PAGE_SIZE_1G) &&
		    (!backed || m->mem.backing == MEM_HUGETLB_1G))
			return true;
	}
	return false;
}

/*
 * pages_1g against the memslots: none where they allow none; and, when
 * the event says the guest mapped a backed GiB with a 1 GiB leaf and
 * touched it (ev->a), at least one.
 */
static void check_geometry(struct ptgen *g, const struct eng_event *ev,
			   u64 giant)
{
	if (giant && !slots_allow_1g(g->vm, false))
		fail(g, ev, "pages_1g = %" PRIu64 " although no memslot holds an aligned GiB congruent to its host address (a huge mapping past a slot's edge or misaligned)",
		     giant);
	if (!giant && ev->a && slots_allow_1g(g->vm, true))
		fail(g, ev, "pages_1g = 0 although a memslot on 1 GiB pages holds an aligned GiB that the guest maps with 1 GiB leaves and has just read (pages_2m %" PRIu64 ", pages_4k %" PRIu64 ")",
		     vm_stat(g->vm, "pages_2m"), vm_stat(g->vm, "pages_4k"));
}

static void huge_baseline(struct ptgen *g, const struct eng_event *ev)
{
	g->huge_base = huge_mappings(g->vm);
	g->giant_base = vm_stat(g->vm, "pages_1g");
	check_geometry(g, ev, g->giant_base);
}

static void check_huge(struct ptgen *g, const struct eng_event *ev)
{
	u64 now = huge_mappings(g->vm), giant = vm_stat(g->vm, "pages_1g");

	if (!g->huge_checks++ || now < g->huge_min)
		g->huge_min = now;
	if (g->huge_checks == 1 || giant < g->giant_min)
		g->giant_min = giant;
	if (now < g->huge_base)
		fail(g, ev, "huge mappings not restored after dirty logging stopped: pages_2m + pages_1g = %" PRIu64 ", %" PRIu64 " before logging started (pages_4k %" PRIu64 ")",
		     now, g->huge_base, vm_stat(g->vm, "pages_4k"));
	if (giant < g->giant_base)
		fail(g, ev, "1 GiB mappings not restored after dirty logging stopped: pages_1g = %" PRIu64 ", %" PRIu64 " before logging started (pages_2m %" PRIu64 ", pages_4k %" PRIu64 ")",
		     giant, g->giant_base, vm_stat(g->vm, "pages_2m"),
		     vm_stat(g->vm, "pages_4k"));
	check_geometry(g, ev, giant);
}

/*
 * MADV_COLLAPSE of a THP range whose huge page a DONTNEED split: the mmu
 * notifier must zap KVM's 4 KiB mappings of the old small pages (freed
 * once the collapse copied them), and KVM may map the range huge again.
 * An error (EAGAIN: no huge page at hand) only skips the check after it.
 */
static void collapse(struct ptgen *g, const struct eng_event *ev)
{
	g->collapse_err = madvise(gpa_to_hva(g->vm, ev->a), ev->b,
				  MADV_COLLAPSE) ? errno : 0;
	g->collapses += !g->collapse_err;
}

static void check_collapse(struct ptgen *g, const struct eng_event *ev)
{
	u64 now = huge_mappings(g->vm);

	if (g->collapse_err || now >= g->huge_base)
		return;
	fail(g, ev, "huge mappings not back after MADV_COLLAPSE and a read of every 2 MiB: pages_2m + pages_1g = %" PRIu64 ", %" PRIu64 " at the start (pages_4k %" PRIu64 ")",
	     now, g->huge_base, vm_stat(g->vm, "pages_4k"));
}

/*
 * KVM_PRE_FAULT_MEMORY (Linux 6.10, TDP only): maps the range ahead of
 * the guest; it may stop early (EINTR, EAGAIN), so it is called until
 * the whole range is done.  The accesses after it are predicted as ever.
 */
static void pre_fault(struct ptgen *g, const struct eng_event *ev)
{
	struct kvm_pre_fault_memory r = { .gpa = ev->a, .size = ev->b };
	u32 tries;

	for (tries = 0; r.size && tries < 1000; tries++)
		if (ioctl(g->vcpu0->fd, KVM_PRE_FAULT_MEMORY, &r) &&
		    errno != EINTR && errno != EAGAIN) {
			fail(g, ev, "KVM_PRE_FAULT_MEMORY [0x%" PRIx64 ", +0x%" PRIx64 "): %s",
			     ev->a, ev->b, strerror(errno));
			return;
		}
	if (r.size)
		fail(g, ev, "KVM_PRE_FAULT_MEMORY left 0x%llx bytes after 1000 calls",
		     (unsigned long long)r.size);
}

/*
 * The MMIO RAM turns into guest memory or back, with the same contents:
 * KVM must retire its MMIO sptes (memslot generation) and the mappings
 * of the deleted memslot; an MMIO exit inside the memslot is a stray
 * one (lib/ucall.h), a stale mapping reads or writes the wrong copy.
 */
static void mmio_slot(struct ptgen *g, struct eng_event *ev)
{
	struct kvm_mmio_ram *mm = &g->vm->mmio;
	struct kvm_memslot *m;

	if (!g->vm->slots[ev->slot].used) {
		vm_add_memslot(g->vm, ev->slot, mm->gpa, mm->size, MEM_ANON, 0);
		m = vm_memslot(g->vm, ev->slot);
		memcpy(m->mem.hva, mm->buf, mm->size);
		/* The workaround of tests/known-issues: mmio-spte-sync-memslot. */
		if (ev->a) {
			set_region(g, m, m->gpa, 0);
			set_region(g, m, m->gpa, m->mem.size);
		}
		return;
	}
	m = vm_memslot(g->vm, ev->slot);
	memcpy(mm->buf, m->mem.hva, mm->size);
	vm_delete_memslot(g->vm, ev->slot);
}

static void run_event(struct ptgen *g, struct eng_event *ev)
{
	struct kvm_memslot *m = ev->code == EV_MMIO_SLOT ? NULL :
				vm_memslot(g->vm, ev->slot);
	u8 *hva = ev->code == EV_DONTNEED || ev->code == EV_MPROTECT ?
		  gpa_to_hva(g->vm, ev->a) : NULL;

	switch (ev->code) {
	case EV_HOST_WRITE:
		pg_write_entry(g->pt, ev->a, ev->b);
		break;
	case EV_SLOT_RECREATE:
		set_region(g, m, m->gpa, 0);
		set_region(g, m, m->gpa, m->mem.size);
		break;
	case EV_SLOT_MOVE:
		set_region(g, m, SLOT_PARK_GPA, m->mem.size);
		set_region(g, m, m->gpa, m->mem.size);
		break;
	case EV_SLOT_REPLACE:
		replace_slot(g, m);
		break;
	case EV_DONTNEED:
		TEST_ASSERT(!madvise(hva, ev->b, MADV_DONTNEED), "madvise: %m");
		break;
	case EV_MPROTECT:
		TEST_ASSERT(!mprotect(hva, ev->b, PROT_READ) &&
			    !mprotect(hva, ev->b, PROT_READ | PROT_WRITE),
			    "mprotect: %m");
		break;
	case EV_DIRTY_ON:
		vm_set_memslot_flags(g->vm, ev->slot,
				     m->flags | KVM_MEM_LOG_DIRTY_PAGES);
		break;
	case EV_DIRTY_OFF:
		vm_set_memslot_flags(g->vm, ev->slot,
				     m->flags & ~KVM_MEM_LOG_DIRTY_PAGES);
		break;
	case EV_DIRTY_GET:
		check_dirty(g, ev);
		break;
	case EV_HUGE_BASELINE:
		huge_baseline(g, ev);
		break;
	case EV_HUGE_CHECK:
		check_huge(g, ev);
		break;
	case EV_DIRTY_CLEAR:
		clear_dirty(g, ev);
		break;
	case EV_COLLAPSE:
		collapse(g, ev);
		break;
	case EV_COLLAPSE_CHECK:
		check_collapse(g, ev);
		break;
	case EV_PRE_FAULT:
		pre_fault(g, ev);
		break;
	case EV_MMIO_SLOT:
		mmio_slot(g, ev);
		break;
	}
}

void eng_event_run(void *opaque, u64 index)
{
	struct ptgen *g = opaque;

	TEST_ASSERT(index < g->nr_ev, "sync point with unknown event %" PRIu64,
		    index);
	run_event(g, &g->ev[index]);
}

void eng_events_free(struct ptgen *g)
{
	u32 i;

	for (i = 0; i < g->nr_ev; i++)
		free(g->ev[i].dirty);
	free(g->ev);
	g->ev = NULL;
	g->nr_ev = g->cap_ev = 0;
}

// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "dirty_log.h"
#include "guest.h"
#include "tap.h"
#include "test_util.h"
#include "worker.h"
#include "worker_vm.h"

GUEST_PROGRAM_DECLARE(mem_worker);

void worker_vm_init(struct worker_vm *t, enum mem_backing b, u64 size,
		    u32 manual_flags)
{
	struct guest_program prog = GUEST_PROGRAM(mem_worker);

	memset(t, 0, sizeof(*t));
	t->name = mem_backing_name(b);
	t->backing = b;
	t->size = size;
	t->nr_pages = (u32)(size / PAGE_SIZE_4K);
	t->huge = b == MEM_HUGETLB_1G ? PAGE_SIZE_1G : PAGE_SIZE_2M;
	t->huge_stat = b == MEM_HUGETLB_1G ? "pages_1g" : "pages_2m";
	rng_seed(&t->rng, 42);
	t->vm = vm_create_guest(PAGING_LM4, &prog, LAYOUT_RUNTIME_END);
	if (manual_flags)
		vm_enable_cap(t->vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
			      manual_flags);
}

void worker_vm_start(struct worker_vm *t, u32 slot, u64 gpa)
{
	size_t bytes = bitmap_bytes(t->nr_pages);
	u64 va;

	t->slot = slot;
	t->gpa = gpa;
	for (va = ALIGN_DOWN(gpa, t->huge); va < gpa + t->size; va += t->huge)
		pg_map(&t->vm->pt, va, va, t->huge, PTE_W);
	t->vcpu = vm_guest_vcpu_add(t->vm, 0);
	worker_start(t->vcpu, gpa, t->nr_pages);
	t->bitmap = calloc(1, bytes);
	t->model = malloc(bytes);
	t->page_gen = calloc(t->nr_pages, sizeof(*t->page_gen));
	TEST_ASSERT(t->bitmap && t->model && t->page_gen, "out of memory");
	memset(t->model, 0xff, bytes);	/* INITIALLY_SET */
}

bool worker_vm_create(struct worker_vm *t, enum mem_backing b, u64 size,
		      u32 slot, u64 gpa, u32 manual_flags)
{
	char why[256];

	worker_vm_init(t, b, size, manual_flags);
	if (__vm_add_memslot(t->vm, slot, gpa, size, b, 0, why, sizeof(why))) {
		tap_skip(why, "%s: memslot", mem_backing_name(b));
		vm_destroy(t->vm);
		return false;
	}
	worker_vm_start(t, slot, gpa);
	return true;
}

void worker_vm_destroy(struct worker_vm *t)
{
	free(t->bitmap);
	free(t->model);
	free(t->page_gen);
	vm_destroy(t->vm);
}

void worker_vm_fill(struct worker_vm *t)
{
	void *hva = vm_memslot(t->vm, t->slot)->mem.hva;
	u64 first = ALIGN_UP(t->gpa, t->huge);
	u64 end = ALIGN_DOWN(t->gpa + t->size, t->huge);
	u32 i;

	TEST_ASSERT(worker_cmd(t->vcpu, WORKER_FILL, ++t->gen, NULL, 0),
		    "guest could not fill the slot");
	for (i = 0; i < t->nr_pages; i++)
		t->page_gen[i] = t->gen;
	t->first_huge = (u32)((first - t->gpa) / PAGE_SIZE_4K);
	t->nr_huge = 0;
	if (((u64)(uintptr_t)hva - t->gpa) % t->huge == 0 && end > first)
		t->nr_huge = (u32)((end - first) / t->huge);
	if (t->backing == MEM_ANON_THP)
		t->nr_huge = (u32)mem_thp_huge_pages(hva, t->size);
}

u64 worker_vm_page_gpa(const struct worker_vm *t, u32 page)
{
	return t->gpa + (u64)page * PAGE_SIZE_4K;
}

void worker_vm_note(struct worker_vm *t, const u32 *list, u32 n, u32 gen)
{
	u32 i;

	for (i = 0; i < n; i++) {
		t->page_gen[list[i]] = gen;
		bitmap_assign(t->model, list[i], true);
	}
}

bool worker_vm_write(struct worker_vm *t, const u32 *list, u32 n)
{
	if (!worker_cmd(t->vcpu, WORKER_WRITE_LIST, ++t->gen, list, n) ||
	    !worker_cmd(t->vcpu, WORKER_VERIFY_LIST, t->gen, list, n))
		return false;
	worker_vm_note(t, list, n, t->gen);
	return true;
}

u32 worker_vm_verify(const struct worker_vm *t)
{
	u32 page, bad = 0, v;
	const u32 *p;

	for (page = 0; page < t->nr_pages; page++) {
		p = gpa_to_hva(t->vm, worker_vm_page_gpa(t, page));
		v = worker_pattern(page, t->page_gen[page]);
		if (p[0] == v && p[worker_second_word(page)] == ~v)
			continue;
		if (bad++ < 8)
			tap_diag("page %u (GPA 0x%" PRIx64 "): words 0x%x 0x%x, expected 0x%x 0x%x (generation %u)",
				 page, worker_vm_page_gpa(t, page), p[0],
				 p[worker_second_word(page)], v, ~v,
				 t->page_gen[page]);
	}
	return bad;
}

void worker_vm_fetch(struct worker_vm *t, bool clear)
{
	dirty_log_fetch(t->vm, t->slot, t->bitmap, t->nr_pages, clear);
}

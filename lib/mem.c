// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mem.h"
#include "test_util.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

static const struct {
	const char *name;
	size_t page_size;
} backings[MEM_NR_BACKINGS] = {
	[MEM_ANON] = { "anon", 4096 },
	[MEM_ANON_THP] = { "thp", 2UL << 20 },
	[MEM_HUGETLB_2M] = { "hugetlb-2m", 2UL << 20 },
	[MEM_HUGETLB_1G] = { "hugetlb-1g", 1UL << 30 },
	[MEM_MEMFD] = { "memfd", 4096 },
};

const char *mem_backing_name(enum mem_backing b)
{
	return b < MEM_NR_BACKINGS ? backings[b].name : "?";
}

size_t mem_backing_page_size(enum mem_backing b)
{
	return backings[b].page_size;
}

static long hugetlb_free_pages(size_t page_size)
{
	char path[128];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-%zukB/free_hugepages",
		 page_size >> 10);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static int alloc_hugetlb(struct mem_region *r, size_t page_size, char *why,
			 size_t why_size)
{
	long free_pages = hugetlb_free_pages(page_size);
	int shift = __builtin_ctzl(page_size);

	if (free_pages < 0) {
		snprintf(why, why_size, "kernel has no %zu MiB hugetlb pages",
			 page_size >> 20);
		return -1;
	}
	if ((size_t)free_pages * page_size < r->size) {
		/* The harness knows why its guest has no 1 GiB page (ci/init.sh). */
		const char *cause = page_size == 1UL << 30 ?
				    getenv("KMT_HUGETLB_1G_WHY") : NULL;

		snprintf(why, why_size,
			 "%ld free %zu MiB hugetlb pages, %zu MiB needed (%s)",
			 free_pages, page_size >> 20, r->size >> 20,
			 cause && *cause ? cause :
			 "reserve them in /sys/kernel/mm/hugepages");
		return -1;
	}
	r->map_size = r->size;
	r->map = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
		      (shift << MAP_HUGE_SHIFT), -1, 0);
	if (r->map == MAP_FAILED) {
		snprintf(why, why_size, "mmap(MAP_HUGETLB %zu MiB): %s",
			 page_size >> 20, strerror(errno));
		return -1;
	}
	r->hva = r->map;
	return 0;
}

/* Over-allocate so the region can start on a 2 MiB boundary. */
static int alloc_anon(struct mem_region *r, bool thp, char *why,
		      size_t why_size)
{
	size_t align = thp ? (2UL << 20) : 4096;

	r->map_size = r->size + align;
	r->map = mmap(NULL, r->map_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->map == MAP_FAILED) {
		snprintf(why, why_size, "mmap(%zu bytes): %s", r->map_size,
			 strerror(errno));
		return -1;
	}
	r->hva = (void *)(((uintptr_t)r->map + align - 1) & ~(align - 1));
	if (madvise(r->hva, r->size, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) &&
	    thp) {
		snprintf(why, why_size, "madvise(MADV_HUGEPAGE): %s",
			 strerror(errno));
		munmap(r->map, r->map_size);
		return -1;
	}
	return 0;
}

static int alloc_memfd(struct mem_region *r, char *why, size_t why_size)
{
	r->fd = memfd_create("kmt-guest", MFD_CLOEXEC);
	if (r->fd < 0 || ftruncate(r->fd, (off_t)r->size)) {
		snprintf(why, why_size, "memfd_create/ftruncate: %s",
			 strerror(errno));
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		return -1;
	}
	r->map_size = r->size;
	r->map = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->fd, 0);
	if (r->map == MAP_FAILED) {
		snprintf(why, why_size, "mmap(memfd): %s", strerror(errno));
		close(r->fd);
		r->fd = -1;
		return -1;
	}
	r->hva = r->map;
	return 0;
}

int mem_region_alloc(struct mem_region *r, size_t size, enum mem_backing b,
		     char *why, size_t why_size)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->backing = b;
	r->size = size;
	if (size % backings[b].page_size) {
		snprintf(why, why_size, "%zu bytes is not a multiple of the %s page size",
			 size, backings[b].name);
		return -1;
	}
	switch (b) {
	case MEM_ANON:
		return alloc_anon(r, false, why, why_size);
	case MEM_ANON_THP:
		return alloc_anon(r, true, why, why_size);
	case MEM_HUGETLB_2M:
	case MEM_HUGETLB_1G:
		return alloc_hugetlb(r, backings[b].page_size, why, why_size);
	case MEM_MEMFD:
		return alloc_memfd(r, why, why_size);
	default:
		snprintf(why, why_size, "unknown backing %d", b);
		return -1;
	}
}

void mem_region_free(struct mem_region *r)
{
	if (r->map && r->map != MAP_FAILED)
		munmap(r->map, r->map_size);
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

size_t mem_thp_huge_pages(const void *hva, size_t size)
{
	unsigned long start = (unsigned long)hva, lo, hi, kb;
	char line[256];
	bool in = false;
	size_t n = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	TEST_ASSERT(f, "/proc/self/smaps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		/* A mapping's header line starts with its range. */
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			in = start >= lo && start + size <= hi;
		else if (in && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			n = kb / 2048;
	}
	fclose(f);
	return n;
}

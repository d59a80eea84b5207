/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest memory backings.  Huge backings exist so that KVM can map guest
 * memory with 2 MiB / 1 GiB pages, which the eager-splitting tests need.
 */
#ifndef KMT_MEM_H
#define KMT_MEM_H

#include <stdbool.h>
#include <stddef.h>

enum mem_backing {
	MEM_ANON,		/* anonymous, 4 KiB pages (THP disabled) */
	MEM_ANON_THP,		/* anonymous, 2 MiB aligned, MADV_HUGEPAGE */
	MEM_HUGETLB_2M,		/* MAP_HUGETLB 2 MiB */
	MEM_HUGETLB_1G,		/* MAP_HUGETLB 1 GiB */
	MEM_MEMFD,		/* memfd, MAP_SHARED */
	MEM_NR_BACKINGS,
};

struct mem_region {
	void *hva;
	size_t size;
	enum mem_backing backing;
	void *map;		/* what munmap() gets */
	size_t map_size;
	int fd;			/* memfd, or -1 */
};

const char *mem_backing_name(enum mem_backing b);
size_t mem_backing_page_size(enum mem_backing b);

/*
 * Returns 0, or -1 with @why saying what is missing (e.g. no hugetlb pages
 * reserved), which tests turn into a SKIP reason.
 */
int mem_region_alloc(struct mem_region *r, size_t size, enum mem_backing b,
		     char *why, size_t why_size);
void mem_region_free(struct mem_region *r);

/*
 * How many 2 MiB pages of [@hva, @hva + @size) THP really backs with huge
 * pages now (AnonHugePages of the mapping in /proc/self/smaps): KVM can
 * map a THP region huge only where the host has a huge page.
 */
size_t mem_thp_huge_pages(const void *hva, size_t size);

#endif

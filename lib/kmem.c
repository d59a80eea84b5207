// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmem.h"
#include "test_util.h"
#include "text.h"

static const char *const item_names[KMEM_NR_ITEMS] = {
	[KMEM_CURRENT] = "memory.current",
	[KMEM_KERNEL] = "kernel",
	[KMEM_KVM] = "kvm_kmem",
	[KMEM_SLAB] = "slab",
	[KMEM_SLAB_UNRECLAIMABLE] = "slab_unreclaimable",
	[KMEM_SEC_PAGETABLES] = "sec_pagetables",
	[KMEM_PAGETABLES] = "pagetables",
	[KMEM_PERCPU] = "percpu",
	[KMEM_KERNEL_STACK] = "kernel_stack",
	[KMEM_VMALLOC] = "vmalloc",
	[KMEM_ANON] = "anon",
	[KMEM_SYS_SEC_PAGETABLES] = "meminfo.SecPageTables",
	[KMEM_SYS_SUNRECLAIM] = "meminfo.SUnreclaim",
	[KMEM_SYS_VMALLOC] = "meminfo.VmallocUsed",
	[KMEM_SYS_KERNEL_STACK] = "meminfo.KernelStack",
};

static const char *const cache_names[KMEM_NR_CACHES] = {
	[KMEM_CACHE_VCPU] = "kvm_vcpu",
	[KMEM_CACHE_EMULATOR] = "x86_emulator",
	[KMEM_CACHE_MMU_PAGE_HEADER] = "kvm_mmu_page_header",
	[KMEM_CACHE_PTE_LIST_DESC] = "pte_list_desc",
};

const char *kmem_item_name(enum kmem_item item)
{
	return item < KMEM_NR_ITEMS ? item_names[item] : "?";
}

const char *kmem_cache_name(enum kmem_cache_id id)
{
	return id < KMEM_NR_CACHES ? cache_names[id] : "?";
}

/* ---- parsers ------------------------------------------------------------ */

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Parses a decimal number in [p, end); advances *p past it. */
static bool parse_u64(const char **p, const char *end, u64 *val)
{
	const char *q = skip_space(*p, end);
	u64 v = 0;

	if (q == end || !isdigit((unsigned char)*q))
		return false;
	for (; q < end && isdigit((unsigned char)*q); q++) {
		if (v > (UINT64_MAX - (u64)(*q - '0')) / 10)
			return false;
		v = v * 10 + (u64)(*q - '0');
	}
	*p = q;
	*val = v;
	return true;
}

/* Whether the first field of [start, end) is exactly @key. */
static bool first_field_is(const char *start, const char *end,
			   const char *key, const char **rest)
{
	size_t n = strlen(key);
	const char *p = skip_space(start, end);

	if ((size_t)(end - p) < n || memcmp(p, key, n))
		return false;
	p += n;
	if (p < end && *p != ' ' && *p != '\t')
		return false;
	*rest = p;
	return true;
}

bool kmem_parse_stat(const char *text, const char *key, u64 *val)
{
	const char *p = text, *start, *end, *rest;

	while (text_next_line(&p, &start, &end)) {
		if (!first_field_is(start, end, key, &rest))
			continue;
		if (!parse_u64(&rest, end, val))
			return false;
		return skip_space(rest, end) == end;
	}
	return false;
}

bool kmem_parse_meminfo(const char *text, const char *key, u64 *bytes)
{
	const char *p = text, *start, *end, *rest;
	char field[64];
	u64 v;

	if (snprintf(field, sizeof(field), "%s:", key) >= (int)sizeof(field))
		return false;
	while (text_next_line(&p, &start, &end)) {
		if (!first_field_is(start, end, field, &rest))
			continue;
		if (!parse_u64(&rest, end, &v))
			return false;
		rest = skip_space(rest, end);
		if (rest == end) {
			*bytes = v;
			return true;
		}
		if (end - rest != 2 || memcmp(rest, "kB", 2))
			return false;
		*bytes = v * 1024;
		return true;
	}
	return false;
}

bool kmem_parse_slabinfo(const char *text, const char *cache,
			 struct kmem_slab *s)
{
	const char *p = text, *start, *end, *rest;

	memset(s, 0, sizeof(*s));
	while (text_next_line(&p, &start, &end)) {
		if (*start == '#' || !first_field_is(start, end, cache, &rest))
			continue;
		if (!parse_u64(&rest, end, &s->active_objs) ||
		    !parse_u64(&rest, end, &s->num_objs) ||
		    !parse_u64(&rest, end, &s->objsize))
			return false;
		s->found = true;
		return true;
	}
	return false;
}

static void stat_item(struct kmem_snapshot *s, enum kmem_item item,
		      const char *text, const char *key)
{
	s->have[item] = text && kmem_parse_stat(text, key, &s->val[item]);
}

static void meminfo_item(struct kmem_snapshot *s, enum kmem_item item,
			 const char *text, const char *key)
{
	s->have[item] = text && kmem_parse_meminfo(text, key, &s->val[item]);
}

void kmem_snapshot_parse(struct kmem_snapshot *s, const char *current,
			 const char *stat, const char *meminfo,
			 const char *slabinfo)
{
	u64 v;
	int i;

	memset(s, 0, sizeof(*s));
	if (current) {
		const char *p = current;

		s->have[KMEM_CURRENT] = parse_u64(&p, p + strlen(p), &v);
		s->val[KMEM_CURRENT] = v;
	}
	stat_item(s, KMEM_KERNEL, stat, "kernel");
	stat_item(s, KMEM_SLAB, stat, "slab");
	stat_item(s, KMEM_SLAB_UNRECLAIMABLE, stat, "slab_unreclaimable");
	stat_item(s, KMEM_SEC_PAGETABLES, stat, "sec_pagetables");
	stat_item(s, KMEM_PAGETABLES, stat, "pagetables");
	stat_item(s, KMEM_PERCPU, stat, "percpu");
	stat_item(s, KMEM_KERNEL_STACK, stat, "kernel_stack");
	stat_item(s, KMEM_VMALLOC, stat, "vmalloc");
	stat_item(s, KMEM_ANON, stat, "anon");
	if (s->have[KMEM_KERNEL] && s->have[KMEM_PAGETABLES] &&
	    s->val[KMEM_KERNEL] >= s->val[KMEM_PAGETABLES]) {
		s->have[KMEM_KVM] = true;
		s->val[KMEM_KVM] = s->val[KMEM_KERNEL] - s->val[KMEM_PAGETABLES];
	}
	meminfo_item(s, KMEM_SYS_SEC_PAGETABLES, meminfo, "SecPageTables");
	meminfo_item(s, KMEM_SYS_SUNRECLAIM, meminfo, "SUnreclaim");
	meminfo_item(s, KMEM_SYS_VMALLOC, meminfo, "VmallocUsed");
	meminfo_item(s, KMEM_SYS_KERNEL_STACK, meminfo, "KernelStack");
	for (i = 0; i < KMEM_NR_CACHES; i++)
		if (slabinfo)
			kmem_parse_slabinfo(slabinfo, cache_names[i], &s->slab[i]);
}

s64 kmem_delta(const struct kmem_snapshot *a, const struct kmem_snapshot *b,
	       enum kmem_item item)
{
	if (!a->have[item] || !b->have[item])
		return 0;
	return (s64)(b->val[item] - a->val[item]);
}

static int cmp_s64(const void *a, const void *b)
{
	s64 x = *(const s64 *)a, y = *(const s64 *)b;

	return x < y ? -1 : x > y;
}

void kmem_spread(const s64 *v, unsigned int n, struct kmem_spread *sp)
{
	s64 *t;

	memset(sp, 0, sizeof(*sp));
	if (!n)
		return;
	t = malloc(n * sizeof(*t));
	TEST_ASSERT(t, "out of memory");
	memcpy(t, v, n * sizeof(*t));
	qsort(t, n, sizeof(*t), cmp_s64);
	sp->n = n;
	sp->min = t[0];
	sp->max = t[n - 1];
	sp->median = n % 2 ? t[n / 2] : t[n / 2 - 1] + (t[n / 2] - t[n / 2 - 1]) / 2;
	free(t);
}

/* Copies the field of [p, end) at *p into @buf; advances *p past it. */
static void copy_field(const char **p, const char *end, char *buf,
		       size_t size)
{
	const char *q = skip_space(*p, end), *f = q;

	while (q < end && *q != ' ' && *q != '\t')
		q++;
	snprintf(buf, size, "%.*s", (int)(q - f), f);
	*p = q;
}

int kmem_parse_vmallocinfo(const char *text, struct kmem_vmalloc_caller *c,
			   int max)
{
	const char *p = text, *start, *end, *q;
	char caller[64], field[64], *plus;
	u64 bytes, pages;
	int n = 0, i;

	while (text_next_line(&p, &start, &end)) {
		q = start;
		copy_field(&q, end, field, sizeof(field));	/* the range */
		if (!parse_u64(&q, end, &bytes))
			continue;
		copy_field(&q, end, caller, sizeof(caller));
		if (!strcmp(caller, "unpurged"))
			continue;
		if (!caller[0] || !strchr(caller, '+'))
			snprintf(caller, sizeof(caller), "(none)");
		plus = strchr(caller, '+');
		if (plus)
			*plus = '\0';
		pages = 0;
		while (q < end) {
			copy_field(&q, end, field, sizeof(field));
			if (!strncmp(field, "pages=", 6))
				pages = strtoull(field + 6, NULL, 10);
		}
		for (i = 0; i < n && strcmp(c[i].caller, caller); i++)
			;
		if (i == n) {
			if (n == max)
				continue;
			memset(&c[n], 0, sizeof(c[n]));
			snprintf(c[n].caller, sizeof(c[n].caller), "%s", caller);
			n++;
		}
		c[i].pages += (s64)pages;
		c[i].bytes += (s64)bytes;
		c[i].areas++;
	}
	return n;
}

void kmem_fig_add(struct kmem_fig *f, const struct kmem_snapshot *a,
		  const struct kmem_snapshot *b, int sign)
{
	int i;

	for (i = 0; i < KMEM_NR_ITEMS; i++)
		f->item[i] += sign * kmem_delta(a, b, i);
	for (i = 0; i < KMEM_NR_CACHES; i++) {
		if (!a->slab[i].found || !b->slab[i].found) {
			f->no_cache[i] = true;
			continue;
		}
		f->objs[i] += sign * (s64)(b->slab[i].active_objs -
					   a->slab[i].active_objs);
		f->objsize[i] = b->slab[i].objsize;
	}
}

s64 kmem_scale(s64 v, s64 div, u64 per_gib_of)
{
	if (!per_gib_of)
		return v / div;
	return (s64)((double)v / (double)div * (double)(1ULL << 30) /
		     (double)per_gib_of);
}

void kmem_fig_scale(struct kmem_fig *f, s64 div, u64 per_gib_of)
{
	int i;

	for (i = 0; i < KMEM_NR_ITEMS; i++)
		f->item[i] = kmem_scale(f->item[i], div, per_gib_of);
	for (i = 0; i < KMEM_NR_CACHES; i++)
		f->objs[i] = kmem_scale(f->objs[i], div, per_gib_of);
}

// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmem_budget.h"
#include "opts.h"
#include "tap.h"
#include "test_util.h"
#include "text.h"

bool kmem_parse_size(const char *s, u64 *bytes)
{
	size_t n = strlen(s);
	char num[32], why[96];
	u64 v, mul = 1;

	if (!n || n >= sizeof(num))
		return false;
	switch (s[n - 1]) {
	case 'K':
		mul = 1ULL << 10;
		break;
	case 'M':
		mul = 1ULL << 20;
		break;
	case 'G':
		mul = 1ULL << 30;
		break;
	}
	if (mul > 1)
		n--;
	memcpy(num, s, n);
	num[n] = '\0';
	/* Decimal only: budgets are read by people. */
	if (strspn(num, "0123456789") != n ||
	    !parse_u64(num, 0, UINT64_MAX / mul, &v, why, sizeof(why)))
		return false;
	*bytes = v * mul;
	return true;
}

int kmem_bounds_parse(const char *text, struct kmem_bound *b, int max,
		      char *err, size_t err_size)
{
	const char *p = text, *start, *end;
	int n = 0, lineno = 0;

	while (text_next_line(&p, &start, &end)) {
		char line[256], *f[4], *save = NULL, *hash;
		int nf = 0;

		lineno++;
		if ((size_t)(end - start) >= sizeof(line)) {
			snprintf(err, err_size, "line %d: too long", lineno);
			return -1;
		}
		memcpy(line, start, end - start);
		line[end - start] = '\0';
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		for (char *t = strtok_r(line, " \t\r", &save); t && nf < 4;
		     t = strtok_r(NULL, " \t\r", &save))
			f[nf++] = t;
		if (!nf)
			continue;
		if (nf != 3) {
			snprintf(err, err_size,
				 "line %d: expected SCENARIO CONFIG BYTES",
				 lineno);
			return -1;
		}
		if (n == max) {
			snprintf(err, err_size, "line %d: more than %d entries",
				 lineno, max);
			return -1;
		}
		if (strlen(f[0]) >= sizeof(b[n].scenario) ||
		    strlen(f[1]) >= sizeof(b[n].config)) {
			snprintf(err, err_size, "line %d: name too long", lineno);
			return -1;
		}
		if (!kmem_parse_size(f[2], &b[n].bytes)) {
			snprintf(err, err_size,
				 "line %d: '%s' is not a size (123, 96K, 2M, 1G)",
				 lineno, f[2]);
			return -1;
		}
		strcpy(b[n].scenario, f[0]);
		strcpy(b[n].config, f[1]);
		n++;
	}
	return n;
}

const struct kmem_bound *kmem_bounds_find(const struct kmem_bound *b, int n,
					  const char *scenario,
					  const char *config,
					  const char *flavour)
{
	const struct kmem_bound *exact = NULL, *flav = NULL, *any = NULL;
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(b[i].scenario, scenario))
			continue;
		if (config && !strcmp(b[i].config, config))
			exact = &b[i];
		else if (flavour && !strcmp(b[i].config, flavour))
			flav = &b[i];
		else if (!strcmp(b[i].config, "*"))
			any = &b[i];
	}
	return exact ? exact : flav ? flav : any;
}

/* @semis: "; " separates lines too (figures given on a command line). */
static void load(const char *src, const char *text, bool semis,
		 struct kmem_bound *b, int *n)
{
	char err[128], *copy = strdup(text), *p;

	TEST_ASSERT(copy, "out of memory");
	for (p = copy; semis && *p; p++)
		if (*p == ';')
			*p = '\n';
	*n = kmem_bounds_parse(copy, b, KMEM_MAX_BOUNDS, err, sizeof(err));
	free(copy);
	if (*n < 0)
		usage_error("%s: %s", src, err);
}

void kmem_limits_budgets(struct kmem_limits *l, const char *src,
			 const char *text)
{
	load(src, text, false, l->budget, &l->nr_budget);
	l->budget_src = src;
}

void kmem_limits_baseline(struct kmem_limits *l, const char *src,
			  const char *text, bool inline_figures)
{
	load(src, text, inline_figures, l->base, &l->nr_base);
	l->base_src = src;
}

const struct kmem_bound *kmem_budget_for(const struct kmem_limits *l,
					 const char *scenario)
{
	return kmem_bounds_find(l->budget, l->nr_budget, scenario, l->config,
				l->flavour);
}

const struct kmem_bound *kmem_baseline_for(const struct kmem_limits *l,
					   const char *scenario)
{
	return kmem_bounds_find(l->base, l->nr_base, scenario, l->config,
				l->flavour);
}

s64 kmem_baseline_allowed(const struct kmem_limits *l,
			  const struct kmem_bound *b, s64 noise)
{
	return (s64)b->bytes + (s64)(b->bytes * l->tolerance / 100) + noise;
}

void kmem_record_open(struct kmem_limits *l, const char *path)
{
	l->record = fopen(path, "a");
	if (!l->record)
		usage_error("--record %s: %s", path, strerror(errno));
}

void kmem_record(struct kmem_limits *l, const char *scenario, s64 bytes)
{
	size_t n = strlen(l->figures);

	tap_diag("kmem-record: %-8s %-12s %" PRId64, scenario, l->config, bytes);
	if (l->record)
		fprintf(l->record, "%-8s %-12s %" PRId64 "\n", scenario,
			l->config, bytes);
	snprintf(l->figures + n, sizeof(l->figures) - n, "%s%s %s %" PRId64,
		 n ? "; " : "", scenario, l->config, bytes);
}

void kmem_record_close(struct kmem_limits *l)
{
	if (l->record)
		fclose(l->record);
	l->record = NULL;
	if (l->figures[0])
		tap_diag("kmem-baseline-figures: %s", l->figures);
}

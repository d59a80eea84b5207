/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What kernel memory figures are held to: budgets (derived bounds kept
 * in the tree, tests/kmem.budgets) and baselines (figures of an earlier
 * kernel, written by a --record run).
 */
#ifndef KMT_KMEM_BUDGET_H
#define KMT_KMEM_BUDGET_H

#include <stddef.h>
#include <stdio.h>

#include "abi/types.h"

/*
 * Budgets and records share one line format:
 *
 *   # comment
 *   SCENARIO  CONFIG  BYTES
 *
 * BYTES is a whole number with an optional K, M or G suffix (KiB, MiB,
 * GiB).  CONFIG is a configuration of ci/configs, an MMU flavour
 * ("shadow", "tdp") or "*".  kmem_bounds_find() prefers the last line for
 * the exact configuration, then the flavour, then "*".
 */
struct kmem_bound {
	char scenario[32];
	char config[32];
	u64 bytes;
};

/*
 * Parses @text into at most @max bounds; returns how many, or -1 with
 * @err naming the line and what is wrong with it.
 */
int kmem_bounds_parse(const char *text, struct kmem_bound *b, int max,
		      char *err, size_t err_size);
const struct kmem_bound *kmem_bounds_find(const struct kmem_bound *b, int n,
					  const char *scenario,
					  const char *config,
					  const char *flavour);
/* Parses "123", "96K", "2M"; false if malformed. */
bool kmem_parse_size(const char *s, u64 *bytes);

/*
 * A run's limits: the budgets, an optional baseline and its tolerance,
 * looked up by the run's configuration and MMU flavour; and the record
 * of this run's figures, in the same format, for a later --baseline.
 */
#define KMEM_MAX_BOUNDS	64

struct kmem_limits {
	struct kmem_bound budget[KMEM_MAX_BOUNDS];
	struct kmem_bound base[KMEM_MAX_BOUNDS];
	int nr_budget, nr_base;
	const char *budget_src;		/* where the budgets came from */
	const char *base_src;		/* NULL: no baseline */
	u32 tolerance;			/* percent allowed over the baseline */
	const char *config, *flavour;	/* the lookup keys */
	FILE *record;			/* or NULL */
	char figures[1024];		/* this run's record, "; "-separated */
};

/*
 * Loads bounds from @text; bad input is one error line naming @src and
 * exit 99 (lib/opts.h).  @inline_figures: ';' separates lines as
 * newlines do (a baseline given on the command line).
 */
void kmem_limits_budgets(struct kmem_limits *l, const char *src,
			 const char *text);
void kmem_limits_baseline(struct kmem_limits *l, const char *src,
			  const char *text, bool inline_figures);

const struct kmem_bound *kmem_budget_for(const struct kmem_limits *l,
					 const char *scenario);
const struct kmem_bound *kmem_baseline_for(const struct kmem_limits *l,
					   const char *scenario);
/*
 * The most a median may reach against baseline @b: the tolerance on top,
 * and the run's own @noise (its spread, at least its resolution).
 */
s64 kmem_baseline_allowed(const struct kmem_limits *l,
			  const struct kmem_bound *b, s64 noise);

/* Opens @path to append the record to (exit 99 if it cannot). */
void kmem_record_open(struct kmem_limits *l, const char *path);
/* One line of the record: to the file, to l->figures, as a diagnostic. */
void kmem_record(struct kmem_limits *l, const char *scenario, s64 bytes);
/* Closes the file and prints l->figures for a --baseline-figures rerun. */
void kmem_record_close(struct kmem_limits *l);

#endif

// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kmem.h"
#include "test_util.h"

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

/* The next line of @p into [*start, *end); returns false at the end. */
static bool next_line(const char **p, const char **start, const char **end)
{
	const char *nl;

	if (!**p)
		return false;
	*start = *p;
	nl = strchr(*p, '\n');
	*end = nl ? nl : *p + strlen(*p);
	*p = nl ? nl + 1 : *end;
	return true;
}

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

	while (next_line(&p, &start, &end)) {
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
	while (next_line(&p, &start, &end)) {
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
	while (next_line(&p, &start, &end)) {
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

bool kmem_parse_size(const char *s, u64 *bytes)
{
	const char *p = s, *end = s + strlen(s);
	u64 v, mul = 1;

	if (!parse_u64(&p, end, &v))
		return false;
	if (p < end) {
		switch (*p++) {
		case 'K':
			mul = 1ULL << 10;
			break;
		case 'M':
			mul = 1ULL << 20;
			break;
		case 'G':
			mul = 1ULL << 30;
			break;
		default:
			return false;
		}
	}
	if (p != end || v > UINT64_MAX / mul)
		return false;
	*bytes = v * mul;
	return true;
}

int kmem_bounds_parse(const char *text, struct kmem_bound *b, int max,
		      char *err, size_t err_size)
{
	const char *p = text, *start, *end;
	int n = 0, lineno = 0;

	while (next_line(&p, &start, &end)) {
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

	while (next_line(&p, &start, &end)) {
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

/* ---- files -------------------------------------------------------------- */

char *kmem_read_file(const char *path)
{
	size_t size = 0, cap = 8192;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	for (;;) {
		if (cap - size < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + size, cap - size - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		size += r;
	}
	close(fd);
	buf[size] = '\0';
	return buf;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s));
	close(fd);
	return r == (ssize_t)strlen(s) ? 0 : -1;
}

/* ---- the cgroup --------------------------------------------------------- */

static bool cgroup2_root(char *root, size_t size)
{
	char *mounts = kmem_read_file("/proc/self/mounts");
	const char *p = mounts, *start, *end;
	bool found = false;

	if (!mounts)
		return false;
	while (!found && next_line(&p, &start, &end)) {
		char dev[64], dir[200], type[64];

		if (sscanf(start, "%63s %199s %63s", dev, dir, type) == 3 &&
		    !strcmp(type, "cgroup2")) {
			snprintf(root, size, "%s", dir);
			found = true;
		}
	}
	free(mounts);
	return found;
}

/* The process's cgroup, relative to the cgroup2 root ("/" or "/a/b"). */
static bool own_cgroup(char *path, size_t size)
{
	char *text = kmem_read_file("/proc/self/cgroup");
	const char *p = text, *start, *end;
	bool found = false;

	if (!text)
		return false;
	while (!found && next_line(&p, &start, &end)) {
		if (end - start >= 3 && !memcmp(start, "0::", 3) &&
		    (size_t)(end - start - 3) < size) {
			memcpy(path, start + 3, end - start - 3);
			path[end - start - 3] = '\0';
			found = true;
		}
	}
	free(text);
	return found;
}

static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p = text;

	while ((p = strstr(p, word))) {
		if ((p == text || isspace((unsigned char)p[-1])) &&
		    (!p[n] || isspace((unsigned char)p[n])))
			return true;
		p += n;
	}
	return false;
}

static int move_to(const char *cgroup)
{
	char path[600], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	return write_str(path, pid);
}

static int make_cgroup(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

static struct kmem_cg *active_cg;

static void leave_at_exit(void)
{
	if (active_cg)
		kmem_cg_leave(active_cg);
}

int __kmem_cg_enter(struct kmem_cg *cg, char *why, size_t why_size)
{
	static bool registered;
	char root[200], rel[256], file[300], path[600], *ctl;
	cpu_set_t set;
	int cpu, err;

	memset(cg, 0, sizeof(*cg));
	if (!cgroup2_root(root, sizeof(root))) {
		snprintf(why, why_size, "no cgroup2 file system mounted");
		return -1;
	}
	if (!own_cgroup(rel, sizeof(rel))) {
		snprintf(why, why_size, "no cgroup2 entry in /proc/self/cgroup");
		return -1;
	}
	snprintf(cg->home, sizeof(cg->home), "%s%s", root,
		 strcmp(rel, "/") ? rel : "");
	snprintf(file, sizeof(file), "%s/cgroup.subtree_control", root);
	ctl = kmem_read_file(file);
	if (!ctl || (!has_word(ctl, "memory") && write_str(file, "+memory"))) {
		err = errno;
		snprintf(why, why_size,
			 "cannot enable the memory controller in %s: %s",
			 file, ctl ? strerror(err) : "unreadable");
		free(ctl);
		return -1;
	}
	free(ctl);
	snprintf(cg->path, sizeof(cg->path), "%s/kmt-kmem-%d", root,
		 (int)getpid());
	snprintf(cg->drain, sizeof(cg->drain), "%s/kmt-kmem-%d-drain", root,
		 (int)getpid());
	if (make_cgroup(cg->path) || make_cgroup(cg->drain)) {
		snprintf(why, why_size, "mkdir %s: %s", cg->path,
			 strerror(errno));
		rmdir(cg->path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/memory.current", cg->path);
	if (access(path, R_OK)) {
		snprintf(why, why_size, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (move_to(cg->path)) {
		snprintf(why, why_size, "moving into %s: %s", cg->path,
			 strerror(errno));
		goto fail;
	}
	cg->entered = true;
	active_cg = cg;
	if (!registered && !atexit(leave_at_exit))
		registered = true;
	/* One CPU: its stock is the only one the snapshots need to drain. */
	cpu = sched_getcpu();
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	return 0;
fail:
	rmdir(cg->path);
	rmdir(cg->drain);
	return -1;
}

void kmem_cg_leave(struct kmem_cg *cg)
{
	if (!cg->entered)
		return;
	move_to(cg->home);
	rmdir(cg->path);
	rmdir(cg->drain);
	cg->entered = false;
	if (active_cg == cg)
		active_cg = NULL;
}

/*
 * Accounted allocations charged to the drain cgroup: pipe_inode_info and
 * its buffer array, the pipe inode, dentry and files (obj_cgroup
 * charges), then one page written into each pipe (a page charge).  See
 * the comment at the top of kmem.h.
 */
static void churn(void)
{
	static char page[4096];
	int fds[2], i;

	for (i = 0; i < 8; i++) {
		if (pipe(fds))
			break;
		if (write(fds[1], page, sizeof(page)) < 0)
			i = 8;
		close(fds[0]);
		close(fds[1]);
	}
}

void kmem_snapshot(struct kmem_cg *cg, struct kmem_snapshot *s)
{
	char path[600];
	char *current, *stat, *meminfo, *slabinfo;

	TEST_ASSERT(cg->entered, "kmem_snapshot() outside kmem_cg_enter()");
	TEST_ASSERT(!move_to(cg->drain), "moving into %s: %s", cg->drain,
		    strerror(errno));
	churn();
	/* Folds the per-CPU vmstat deltas into /proc/meminfo (root only). */
	write_str("/proc/sys/vm/stat_refresh", "1");
	/*
	 * memcg statistics are flushed lazily (rstat: past a threshold of
	 * updates, or every 2 s), so memory.stat may lag by up to 64 pages
	 * per CPU and look settled while it is not.  Reading cpu.stat
	 * flushes the cgroup's whole rstat subtree, memcg's included.
	 */
	snprintf(path, sizeof(path), "%s/cpu.stat", cg->path);
	free(kmem_read_file(path));
	snprintf(path, sizeof(path), "%s/memory.current", cg->path);
	current = kmem_read_file(path);
	snprintf(path, sizeof(path), "%s/memory.stat", cg->path);
	stat = kmem_read_file(path);
	meminfo = kmem_read_file("/proc/meminfo");
	slabinfo = kmem_read_file("/proc/slabinfo");
	TEST_ASSERT(!move_to(cg->path), "moving back into %s: %s", cg->path,
		    strerror(errno));
	TEST_ASSERT(current && stat, "cannot read %s/memory.{current,stat}",
		    cg->path);
	kmem_snapshot_parse(s, current, stat, meminfo, slabinfo);
	free(current);
	free(stat);
	free(meminfo);
	free(slabinfo);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

bool __kmem_settle(struct kmem_cg *cg, struct kmem_snapshot *s,
		   unsigned int interval_ms, unsigned int max_ms)
{
	struct kmem_snapshot prev;
	unsigned int waited = 0, quiet = 0;

	kmem_snapshot(cg, &prev);
	for (;;) {
		sleep_ms(interval_ms);
		waited += interval_ms;
		kmem_snapshot(cg, s);
		if (llabs(kmem_delta(&prev, s, KMEM_KERNEL)) > 4096)
			quiet = 0;
		else if (++quiet == 2)
			return true;
		if (waited >= max_ms)
			return false;
		prev = *s;
	}
}

bool kmem_settle(struct kmem_cg *cg, struct kmem_snapshot *s)
{
	return __kmem_settle(cg, s, 20, 3000);
}

// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kmem_cg.h"
#include "tap.h"
#include "test_util.h"
#include "text.h"

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
	char *mounts = read_file("/proc/self/mounts");
	const char *p = mounts, *start, *end;
	bool found = false;

	if (!mounts)
		return false;
	while (!found && text_next_line(&p, &start, &end)) {
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
	char *text = read_file("/proc/self/cgroup");
	const char *p = text, *start, *end;
	bool found = false;

	if (!text)
		return false;
	while (!found && text_next_line(&p, &start, &end)) {
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
	ctl = read_file(file);
	if (!ctl || (!text_has_word(ctl, "memory") && write_str(file, "+memory"))) {
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
	free(read_file(path));
	snprintf(path, sizeof(path), "%s/memory.current", cg->path);
	current = read_file(path);
	snprintf(path, sizeof(path), "%s/memory.stat", cg->path);
	stat = read_file(path);
	meminfo = read_file("/proc/meminfo");
	slabinfo = read_file("/proc/slabinfo");
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

int kmem_vmalloc_read(struct kmem_vmalloc_caller *c, int max)
{
	char *text = read_file("/proc/vmallocinfo");
	int n = text ? kmem_parse_vmallocinfo(text, c, max) : 0;

	free(text);
	return n;
}

void kmem_vmalloc_diag(const struct kmem_vmalloc_caller *before, int nb,
		       const struct kmem_vmalloc_caller *after, int na)
{
	int i, j;

	for (i = 0; i < na; i++) {
		const struct kmem_vmalloc_caller *a = &after[i];
		s64 pages = 0, areas = 0;

		for (j = 0; j < nb; j++) {
			if (strcmp(before[j].caller, a->caller))
				continue;
			pages = before[j].pages;
			areas = before[j].areas;
		}
		if (a->pages != pages || a->areas != areas)
			tap_diag("vmallocinfo %s: %+" PRId64 " pages in %+" PRId64 " areas (now %" PRId64 " pages, %" PRId64 " areas)",
				 a->caller, a->pages - pages, a->areas - areas,
				 a->pages, a->areas);
	}
}

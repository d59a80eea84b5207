// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the KVM binary statistics reader (lib/stats.c).
 *
 * The MMU tests decide whether KVM mapped guest memory with 4K, 2M or 1G
 * pages from the pages_4k / pages_2m / pages_1g statistics, so a reader
 * that picks the wrong descriptor (a name that is a prefix of another), the
 * wrong value, or misparses the layout makes them pass or fail for the
 * wrong reason.  This test needs no KVM: it lays out a stats file in a
 * memfd exactly as the kernel does (header, id string, descriptors of
 * sizeof(struct kvm_stats_desc) + name_size bytes each, u64 data at
 * data_offset + desc.offset) and reads it back, for two name sizes, with
 * non-contiguous blocks, and truncated at every block boundary.
 */
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stats.h"
#include "tap.h"
#include "test_util.h"

struct fake_stat {
	const char *name;
	u16 size;	/* number of u64 values */
	u64 value;
};

/*
 * "pages_4k" comes before "pages", and "pages" before "pages_2m", so a
 * prefix match in either direction finds the wrong descriptor.
 */
static const struct fake_stat fake_stats[] = {
	{ "pages_4k", 1, 1234 },
	{ "pages", 1, 0xdeadbeefcafef00dULL },
	{ "pages_2m", 1, 56 },
	{ "pages_1g", 1, 7 },
	{ "empty", 0, 99 },
};

#define NR_FAKE		ARRAY_SIZE(fake_stats)

struct blob {
	u8 *buf;
	size_t size;
	size_t data_end;	/* end of the last value */
	struct kvm_stats_header hdr;
};

/*
 * Lays out @fake_stats with @name_size bytes per name.  @gap bytes of
 * padding go between the id string and the descriptors and between the
 * descriptors and the data, to check that the reader honours the offsets
 * in the header rather than assuming the blocks are contiguous.  The
 * values are stored in reverse order of the descriptors, so desc.offset
 * matters too.
 */
static void blob_build(struct blob *b, u32 name_size, u32 gap)
{
	size_t desc_size = sizeof(struct kvm_stats_desc) + name_size;
	struct kvm_stats_header *h = &b->hdr;
	u32 i;

	memset(h, 0, sizeof(*h));
	h->name_size = name_size;
	h->num_desc = NR_FAKE;
	h->id_offset = sizeof(*h);
	h->desc_offset = h->id_offset + name_size + gap;
	h->data_offset = h->desc_offset + NR_FAKE * desc_size + gap;
	b->data_end = h->data_offset + NR_FAKE * sizeof(u64);
	b->size = b->data_end;
	b->buf = calloc(1, b->size);
	TEST_ASSERT(b->buf, "out of memory");

	memcpy(b->buf, h, sizeof(*h));
	snprintf((char *)b->buf + h->id_offset, name_size, "kvm-1234");
	for (i = 0; i < NR_FAKE; i++) {
		struct kvm_stats_desc *d = (void *)(b->buf + h->desc_offset +
						    i * desc_size);
		u32 slot = NR_FAKE - 1 - i;

		d->flags = KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_NONE |
			   KVM_STATS_BASE_POW10;
		d->size = fake_stats[i].size;
		d->offset = slot * sizeof(u64);
		strncpy(d->name, fake_stats[i].name, name_size - 1);
		memcpy(b->buf + h->data_offset + d->offset,
		       &fake_stats[i].value, sizeof(u64));
	}
}

/* A memfd holding the first @len bytes of @b. */
static int blob_fd(const struct blob *b, size_t len)
{
	int fd = memfd_create("kvm-stats", MFD_CLOEXEC);

	TEST_ASSERT(fd >= 0, "memfd_create: %s", strerror(errno));
	TEST_ASSERT(write(fd, b->buf, len) == (ssize_t)len, "write: %s",
		    strerror(errno));
	return fd;
}

/* Names the layout under test in every point. */
static char layout[48];

static void check_u64(u64 actual, u64 expected, const char *what)
{
	if (!tap_check(actual == expected, "%s: %s", layout, what))
		tap_diag("expected 0x%llx (%llu), actual 0x%llx (%llu)",
			 (unsigned long long)expected,
			 (unsigned long long)expected,
			 (unsigned long long)actual,
			 (unsigned long long)actual);
}

static void check_find(const struct kvm_stats *st, const char *name)
{
	const struct kvm_stats_desc *d = stats_find(st, name);

	if (!tap_check(d && !strcmp(d->name, name),
		       "%s: stats_find(\"%s\") finds exactly it", layout, name))
		tap_diag("expected descriptor \"%s\", actual %s%s%s", name,
			 d ? "\"" : "NULL", d ? d->name : "", d ? "\"" : "");
}

static void check_read(const struct kvm_stats *st, const char *name,
		       u64 expected)
{
	u64 v = ~0ULL;
	bool ok = __stats_read(st, name, &v);
	char what[96];

	if (!tap_check(ok, "%s: __stats_read(\"%s\") succeeds", layout, name))
		tap_diag("expected true, actual false");
	snprintf(what, sizeof(what), "__stats_read(\"%s\") value", name);
	check_u64(v, expected, what);
	/* stats_read() ends the test on a missing name; only call it when
	 * that cannot happen. */
	snprintf(what, sizeof(what), "stats_read(\"%s\") value", name);
	check_u64(ok ? stats_read(st, name) : ~0ULL, expected, what);
}

static void check_missing(const struct kvm_stats *st, const char *name)
{
	const struct kvm_stats_desc *d = stats_find(st, name);
	u64 v = 0x5a5a;
	bool ok;

	if (!tap_check(!d, "%s: stats_find(\"%s\") is NULL", layout, name))
		tap_diag("expected NULL, actual descriptor \"%s\"", d->name);
	ok = __stats_read(st, name, &v);
	if (!tap_check(!ok, "%s: __stats_read(\"%s\") is false", layout,
		       name))
		tap_diag("expected false, actual true (value 0x%llx)",
			 (unsigned long long)v);
}

/* A descriptor with no values has nothing to read. */
static void check_empty(const struct kvm_stats *st, const char *name)
{
	u64 v = 0x5a5a;
	bool ok;

	check_find(st, name);
	ok = __stats_read(st, name, &v);
	if (!tap_check(!ok, "%s: __stats_read(\"%s\") of size 0 is false",
		       layout, name))
		tap_diag("expected false, actual true (value 0x%llx)",
			 (unsigned long long)v);
}

static void check_header(const struct kvm_stats *st, const struct blob *b)
{
	size_t want = sizeof(struct kvm_stats_desc) + b->hdr.name_size;

	if (!tap_check(!memcmp(&st->hdr, &b->hdr, sizeof(b->hdr)),
		       "%s: header parsed", layout))
		tap_diag("expected name_size %u num_desc %u desc_offset %u data_offset %u, actual %u %u %u %u",
			 b->hdr.name_size, b->hdr.num_desc,
			 b->hdr.desc_offset, b->hdr.data_offset,
			 st->hdr.name_size, st->hdr.num_desc,
			 st->hdr.desc_offset, st->hdr.data_offset);
	if (!tap_check(st->desc_size == want, "%s: descriptor stride",
		       layout))
		tap_diag("expected %zu, actual %zu", want, st->desc_size);
}

static void check_lookups(const struct kvm_stats *st)
{
	check_find(st, "pages");
	check_find(st, "pages_4k");
	check_find(st, "pages_2m");
	check_read(st, "pages_4k", 1234);
	check_read(st, "pages_2m", 56);
	check_read(st, "pages_1g", 7);
	check_read(st, "pages", 0xdeadbeefcafef00dULL);
	check_missing(st, "pages_512g");
	check_missing(st, "pages_");
	check_missing(st, "page");
	check_missing(st, "");
	check_empty(st, "empty");
}

static void test_layout(u32 name_size, u32 gap)
{
	struct kvm_stats st;
	struct blob b;
	int ret;

	snprintf(layout, sizeof(layout), "name_size %u, gap %u", name_size,
		 gap);
	blob_build(&b, name_size, gap);
	ret = __stats_open(&st, blob_fd(&b, b.size));
	if (!tap_check(ret == 0, "%s: __stats_open() succeeds", layout))
		tap_diag("expected 0, actual %d", ret);
	if (!ret) {
		check_header(&st, &b);
		check_lookups(&st);
	}
	stats_close(&st);
	if (!tap_check(st.fd == -1 && !st.descs,
		       "%s: stats_close() resets the handle", layout))
		tap_diag("expected fd -1, descs NULL; actual fd %d, descs %p",
			 st.fd, (void *)st.descs);
	free(b.buf);
}

/* A file cut at @len must not open, or must not read past its end. */
static void test_truncated(size_t len, const char *where, bool opens)
{
	struct kvm_stats st;
	struct blob b;
	int ret;

	blob_build(&b, 48, 0);
	ret = __stats_open(&st, blob_fd(&b, len));
	if (!opens) {
		if (!tap_check(ret == -1 && !st.descs,
			       "cut %s (%zu bytes): __stats_open() fails",
			       where, len))
			tap_diag("expected -1 and no descriptors, actual %d, descs %p",
				 ret, (void *)st.descs);
	} else {
		u64 v = 0;
		/* "pages_4k" has the last value in the file. */
		bool ok = !ret && __stats_read(&st, "pages_4k", &v);

		if (!tap_check(!ret && !ok,
			       "cut %s (%zu bytes): opens, value unreadable",
			       where, len))
			tap_diag("expected open 0 and read false, actual open %d read %d",
				 ret, ok);
	}
	stats_close(&st);
	free(b.buf);
}

/* Headers a reader must refuse before allocating anything. */
static void test_bad_header(u32 num_desc, u32 name_size, const char *what)
{
	struct kvm_stats st;
	struct blob b;
	int ret;

	blob_build(&b, 48, 0);
	((struct kvm_stats_header *)b.buf)->num_desc = num_desc;
	((struct kvm_stats_header *)b.buf)->name_size = name_size;
	ret = __stats_open(&st, blob_fd(&b, b.size));
	if (!tap_check(ret == -1, "%s: __stats_open() fails", what))
		tap_diag("expected -1, actual %d", ret);
	stats_close(&st);
	free(b.buf);
}

/* stats_read() of a missing name must end the test, not return 0. */
static void test_stats_read_asserts(void)
{
	struct kvm_stats st;
	struct blob b;
	int status;
	pid_t pid;

	blob_build(&b, 48, 0);
	stats_open(&st, blob_fd(&b, b.size));
	fflush(stdout);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		/* Keep the child's assertion text out of our TAP stream. */
		if (!freopen("/dev/null", "w", stdout))
			_exit(98);
		stats_read(&st, "pages_512g");
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (!tap_check(WIFEXITED(status) && WEXITSTATUS(status) == 1,
		       "stats_read() of a missing name fails the test"))
		tap_diag("expected exit status 1, actual wait status 0x%x",
			 status);
	stats_close(&st);
	free(b.buf);
}

int main(void)
{
	size_t hdr = sizeof(struct kvm_stats_header);
	size_t descs_end = hdr + 48 + NR_FAKE * (sizeof(struct kvm_stats_desc) + 48);

	tap_init(stdout);
	test_layout(48, 0);
	test_layout(64, 0);
	test_layout(64, 40);
	test_truncated(0, "empty file", false);
	test_truncated(hdr - 1, "inside the header", false);
	test_truncated(hdr, "after the header", false);
	test_truncated(descs_end - 1, "inside the last descriptor", false);
	test_truncated(descs_end, "before the data", true);
	test_truncated(descs_end + NR_FAKE * sizeof(u64) - 1,
		       "inside the data", true);
	test_bad_header(1 << 20, 48, "num_desc 1M");
	test_bad_header(NR_FAKE, 1 << 20, "name_size 1M");
	test_stats_read_asserts();
	return tap_finish();
}

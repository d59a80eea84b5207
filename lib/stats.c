// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm.h"
#include "stats.h"
#include "tap.h"
#include "test_util.h"

int __stats_open(struct kvm_stats *st, int fd)
{
	size_t size;

	memset(st, 0, sizeof(*st));
	st->fd = fd;
	if (pread(fd, &st->hdr, sizeof(st->hdr), 0) != sizeof(st->hdr))
		return -1;
	if (st->hdr.num_desc > 4096 || st->hdr.name_size > 4096)
		return -1;
	st->desc_size = sizeof(struct kvm_stats_desc) + st->hdr.name_size;
	size = st->desc_size * st->hdr.num_desc;
	st->descs = malloc(size ? size : 1);
	if (!st->descs)
		return -1;
	if (pread(fd, st->descs, size, st->hdr.desc_offset) != (ssize_t)size) {
		free(st->descs);
		st->descs = NULL;
		return -1;
	}
	return 0;
}

void stats_open(struct kvm_stats *st, int fd)
{
	TEST_ASSERT(fd >= 0 && !__stats_open(st, fd),
		    "cannot read KVM stats header/descriptors: %s",
		    strerror(errno));
}

void stats_close(struct kvm_stats *st)
{
	free(st->descs);
	if (st->fd >= 0)
		close(st->fd);
	memset(st, 0, sizeof(*st));
	st->fd = -1;
}

const struct kvm_stats_desc *stats_find(const struct kvm_stats *st,
					const char *name)
{
	u32 i;

	for (i = 0; i < st->hdr.num_desc; i++) {
		const struct kvm_stats_desc *d =
			(const void *)(st->descs + i * st->desc_size);

		if (!strncmp(d->name, name, st->hdr.name_size))
			return d;
	}
	return NULL;
}

bool __stats_read(const struct kvm_stats *st, const char *name, u64 *val)
{
	const struct kvm_stats_desc *d = stats_find(st, name);

	if (!d || d->size < 1)
		return false;
	return pread(st->fd, val, sizeof(*val),
		     st->hdr.data_offset + d->offset) == sizeof(*val);
}

u64 stats_read(const struct kvm_stats *st, const char *name)
{
	u64 v = 0;

	TEST_ASSERT(__stats_read(st, name, &v),
		    "KVM has no statistic named '%s'", name);
	return v;
}

static u64 read_stat_fd(int fd, const char *name)
{
	struct kvm_stats st;
	u64 v;

	stats_open(&st, fd);
	v = stats_read(&st, name);
	stats_close(&st);
	return v;
}

u64 vm_stat(struct kvm_vm *vm, const char *name)
{
	return read_stat_fd((int)vm_ioctl(vm, KVM_GET_STATS_FD, NULL), name);
}

u64 vcpu_stat(struct kvm_vcpu *vcpu, const char *name)
{
	return read_stat_fd((int)vcpu_ioctl(vcpu, KVM_GET_STATS_FD, NULL),
			    name);
}

void vm_mappings_diag(struct kvm_vm *vm, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	tap_diag("%s: pages_4k %" PRIu64 " pages_2m %" PRIu64 " pages_1g %" PRIu64,
		 what, vm_stat(vm, "pages_4k"), vm_stat(vm, "pages_2m"),
		 vm_stat(vm, "pages_1g"));
}

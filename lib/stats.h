/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM binary statistics (KVM_GET_STATS_FD) by name, for a VM or a vCPU.
 * The MMU tests read pages_4k / pages_2m / pages_1g from them to see what
 * the guest alone cannot: how KVM maps guest memory.
 */
#ifndef KMT_STATS_H
#define KMT_STATS_H

#include <linux/kvm.h>

#include "abi/types.h"

struct kvm_stats {
	int fd;
	struct kvm_stats_header hdr;
	u8 *descs;		/* hdr.num_desc descriptors */
	size_t desc_size;	/* sizeof(desc) + hdr.name_size */
};

/* Parses the header and descriptors from a stats fd (or any file). */
int __stats_open(struct kvm_stats *st, int fd);
void stats_open(struct kvm_stats *st, int fd);
void stats_close(struct kvm_stats *st);

/* The descriptor named @name, or NULL. */
const struct kvm_stats_desc *stats_find(const struct kvm_stats *st,
					const char *name);
/* Reads the first value of statistic @name; false if there is none. */
bool __stats_read(const struct kvm_stats *st, const char *name, u64 *val);
u64 stats_read(const struct kvm_stats *st, const char *name);

struct kvm_vm;
struct kvm_vcpu;
u64 vm_stat(struct kvm_vm *vm, const char *name);
u64 vcpu_stat(struct kvm_vcpu *vcpu, const char *name);

/* "WHAT: pages_4k N pages_2m N pages_1g N" as a TAP diagnostic. */
void vm_mappings_diag(struct kvm_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

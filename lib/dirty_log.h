/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dirty log of a memslot as the dirty-logging tests check it: one
 * fetch (KVM_GET_DIRTY_LOG, and with manual protect a CLEAR of the whole
 * slot, which re-protects every page for the next round), and the pages a
 * guest wrote that the fetched log does not report.
 *
 *   dirty_log_fetch(vm, SLOT, bitmap, nr_pages, manual);
 *   missed = dirty_log_missed(bitmap, written, n, slot_gpa, "round 2");
 */
#ifndef KMT_DIRTY_LOG_H
#define KMT_DIRTY_LOG_H

#include "kvm.h"

/* GET_DIRTY_LOG into @bitmap (cleared first); @clear: CLEAR it all too. */
void dirty_log_fetch(struct kvm_vm *vm, u32 slot, u64 *bitmap, u32 nr_pages,
		     bool clear);

/*
 * Pages of @list (indices into the slot at @slot_gpa) that @bitmap does
 * not report dirty; the first eight are named in TAP diagnostics,
 * prefixed by @when.
 */
u32 dirty_log_missed(const u64 *bitmap, const u32 *list, u32 n, u64 slot_gpa,
		     const char *when);

#endif

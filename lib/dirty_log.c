// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <string.h>

#include "bitmap.h"
#include "dirty_log.h"
#include "tap.h"

void dirty_log_fetch(struct kvm_vm *vm, u32 slot, u64 *bitmap, u32 nr_pages,
		     bool clear)
{
	memset(bitmap, 0, bitmap_bytes(nr_pages));
	vm_get_dirty_log(vm, slot, bitmap);
	if (clear)
		vm_clear_dirty_log(vm, slot, bitmap, 0, nr_pages);
}

u32 dirty_log_missed(const u64 *bitmap, const u32 *list, u32 n, u64 slot_gpa,
		     const char *when)
{
	u32 i, missed = 0;

	for (i = 0; i < n; i++) {
		if (bitmap_test(bitmap, list[i]))
			continue;
		if (missed++ < 8)
			tap_diag("%s: page %u (GPA 0x%" PRIx64 ") written but not reported dirty",
				 when, list[i],
				 (u64)(slot_gpa + list[i] * PAGE_SIZE_4K));
	}
	return missed;
}

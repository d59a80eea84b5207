/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Header at the start of every guest image (at LAYOUT_IMAGE).  The host
 * reads it to find the entry point and the exception stubs it points the
 * IDT at, so guest code never has to describe itself any other way.
 */
#ifndef KMT_ABI_IMAGE_H
#define KMT_ABI_IMAGE_H

#include "types.h"

struct guest_image_header {
	u32 magic;		/* GUEST_IMAGE_MAGIC */
	u32 bits;		/* 32 or 64 */
	u64 entry;		/* guest address of _start */
	u64 exc_stubs;		/* guest address of u64[NR_EXCEPTION_VECTORS] */
	u64 image_end;		/* end of .bss: the image's memory footprint */
	u64 exports;		/* guest address of u64 guest_exports[], or 0 */
};

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest physical memory layout shared by the host library and guest code.
 *
 * The first LAYOUT_RUNTIME_END bytes of guest physical memory hold what
 * every guest needs; they are identity mapped (VA == PA) with 4 KiB pages in
 * every paging mode, except page 0, which stays unmapped so that a NULL
 * dereference in guest code faults.  Identity mapping lets the guest hand
 * the host plain addresses (ucall structs, results) and lets the host's
 * script generators address page-table pages by their physical address.
 *
 *   0x0000_1000  GDT
 *   0x0000_2000  IDT
 *   0x0000_3000  TSS
 *   0x0000_f000  user-mode stack (the one page of the region user code may use)
 *   0x0001_0000  per-vCPU areas (struct guest_percpu + stack), 16 KiB each
 *   0x0010_0000  guest code image (up to 1 MiB), supervisor-only except
 *   0x0010_1000    its second page: the CPL 3 stubs (.text.user), user
 *   0x0020_0000  page-table pool (2 MiB, 512 table pages)
 *   0x0040_0000  arena: op scripts, results, test arguments (4 MiB)
 *   0x0080_0000  end of the runtime region; tests own memory above it
 */
#ifndef KMT_ABI_LAYOUT_H
#define KMT_ABI_LAYOUT_H

#define PAGE_SIZE_4K		0x1000ULL
#define PAGE_SIZE_2M		0x200000ULL
#define PAGE_SIZE_4M		0x400000ULL
#define PAGE_SIZE_1G		0x40000000ULL

#define LAYOUT_GDT		0x1000ULL
#define LAYOUT_IDT		0x2000ULL
#define LAYOUT_TSS		0x3000ULL
#define LAYOUT_USER_STACK	0xf000ULL
#define LAYOUT_PERCPU		0x10000ULL
#define LAYOUT_PERCPU_SIZE	0x4000ULL
#define LAYOUT_MAX_VCPUS	16
#define LAYOUT_IMAGE		0x100000ULL
#define LAYOUT_IMAGE_MAX	0x100000ULL
/*
 * The one page of the image user code runs from (linker scripts: the
 * section .text.user, after the header's page).  The rest of the image
 * is U=0, so that with CR4.SMEP/SMAP the guest's own code and data stay
 * usable at CPL 0.
 */
#define LAYOUT_USER_TEXT	0x101000ULL
#define LAYOUT_PT_POOL		0x200000ULL
#define LAYOUT_PT_POOL_END	0x400000ULL
#define LAYOUT_ARENA		0x400000ULL
#define LAYOUT_ARENA_END	0x800000ULL
#define LAYOUT_RUNTIME_END	0x800000ULL

/* GDT selectors, fixed so that guest code can reload segments. */
#define SEL_CODE32		0x08
#define SEL_DATA		0x10
#define SEL_CODE64		0x18
#define SEL_TSS			0x20	/* 16 bytes in long mode */
#define SEL_UCODE32		0x33	/* DPL 3, RPL 3 */
#define SEL_UDATA		0x3b	/* DPL 3: DS/ES/FS/GS always, SS in user mode */
#define SEL_UCODE64		0x43
#define GDT_ENTRIES		9

/* TSS field the CPU loads the ring-0 stack pointer from (both formats). */
#define TSS_SP0			4
#define TSS_SS0			8	/* 32-bit TSS only */

/* Port the guest writes the address of its struct ucall to. */
#define UCALL_PORT		0xe0

/* Magic at the start of every guest image ("KMTG"). */
#define GUEST_IMAGE_MAGIC	0x47544d4bU

#define NR_EXCEPTION_VECTORS	32
/* Vector user code raises (INT, DPL 3 gate) to return to ring 0. */
#define USER_RETURN_VECTOR	32
#define NR_IDT_VECTORS		33

#endif

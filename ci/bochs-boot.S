/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ci/bochs-boot.S: the boot sector of the disk image ci/bochs-machine builds
 * for a Bochs run (assembled there with as/ld at 0x7c00).
 *
 * Why a boot loader of our own: Bochs 2.7 cannot load a kernel itself.
 * Its optramimage option reads a file into the first guest RAM block only
 * (RAM is allocated in 128 KiB blocks on first touch, so a bigger image
 * ends up scattered), and booting from a CD image spends ~45 s in the
 * BIOS's ATAPI reads.  The BIOS's hard-disk INT 13h reads, 32 KiB at a
 * time, move ~30 MB/s, so this sector reads what ci/bochs-machine laid out
 * behind it and starts the kernel:
 *   - PVH (pvh_entry != 0): the uncompressed vmlinux, so the guest spends
 *     no time decompressing (an xz kernel takes ~60 s under Bochs); the
 *     BIOS memory map goes into the hvm_start_info ci/bochs-machine placed
 *     at INFO, then 32-bit protected mode and a jump to the PVH entry;
 *   - otherwise the bzImage through its real-mode setup (boot protocol
 *     2.02+, header filled in by ci/bochs-machine, setup at 0x10000).
 * Each table entry is (first sector, sectors, physical destination);
 * sectors go through a bounce buffer below 1 MiB and INT 15h AH=87h.
 * The first boot marks this sector as used on the disk: when the machine
 * resets (reboot, panic=-1) the next boot ends Bochs through its shutdown
 * port instead of running the tests again.
 */
	.code16
	.set	BOUNCE_SEG, 0x2000	/* 0x20000: 32 KiB per read */
	.set	CHUNK, 64		/* sectors per read */
	.set	INFO, 0x10000		/* hvm_start_info (PVH) */
	.set	MEMMAP, 0x100		/* its memory map, offset from INFO */

	.text
	.globl	_start
_start:					/* the BIOS enters at 0000:7c00 */
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x7c00, %sp
	sti
	mov	%dl, drive
	cmpb	$0, booted
	jne	shutdown
	incb	booted
	mov	$wdap, %si
	mov	$0x4300, %ax		/* extended write, no verify */
	int	$0x13
	jc	fail

	mov	$table, %bp
entry:	cmpl	$0, 4(%bp)		/* sectors left in this entry */
	je	next
	mov	$CHUNK, %eax
	cmp	4(%bp), %eax
	jbe	1f
	mov	4(%bp), %eax
1:	mov	%ax, dap_count
	mov	(%bp), %eax
	mov	%eax, dap_lba
	mov	$0x42, %ah		/* extended read */
	mov	drive, %dl
	mov	$dap, %si
	int	$0x13
	jc	fail
	mov	8(%bp), %eax		/* destination into the move's GDT */
	mov	%ax, bm_dst + 2
	shr	$16, %eax
	mov	%al, bm_dst + 4
	mov	%ah, bm_dst + 7
	mov	dap_count, %cx
	shl	$8, %cx			/* words */
	mov	$bm_gdt, %si
	mov	$0x87, %ah
	int	$0x15
	jc	fail
	movzwl	dap_count, %eax
	add	%eax, (%bp)
	sub	%eax, 4(%bp)
	shl	$9, %eax
	add	%eax, 8(%bp)
	jmp	entry
next:	add	$12, %bp
	cmpl	$0, 4(%bp)
	jne	entry

	cmpl	$0, pvh_entry
	jne	pvh
	/* bzImage: real-mode setup, stack at the end of its heap */
	cli
	mov	$0x1000, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	mov	$0xe000, %sp
	ljmp	$0x1020, $0

pvh:	/* BIOS E820 map straight into hvm_memmap_table_entry[] (24 bytes) */
	mov	$INFO >> 4, %ax
	mov	%ax, %es
	mov	$MEMMAP, %di
	xor	%ebx, %ebx
	xor	%si, %si
2:	mov	$0xe820, %eax
	mov	$0x534d4150, %edx	/* "SMAP" */
	mov	$24, %ecx
	int	$0x15
	jc	3f
	cmp	$0x534d4150, %eax
	jne	3f
	inc	%si
	add	$24, %di
	test	%ebx, %ebx
	jnz	2b
3:	test	%si, %si
	jz	fail
	mov	%si, %es:48		/* memmap_entries */
	in	$0x92, %al		/* A20 on (fast gate) */
	or	$2, %al
	out	%al, $0x92
	cli
	lgdt	gdtr
	mov	%cr0, %eax
	or	$1, %al
	mov	%eax, %cr0
	ljmp	$8, $pm32
	.code32
pm32:	mov	$16, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	mov	$INFO, %ebx
	jmp	*pvh_entry
	.code16

fail:	mov	$msg, %si		/* say why on the console, then end */
	mov	$0x3f8, %dx
	call	puts
shutdown:
	mov	$shut, %si		/* Bochs quits on "Shutdown" here */
	mov	$0x8900, %dx
	call	puts
4:	hlt
	jmp	4b
puts:	lodsb
	test	%al, %al
	jz	5f
	out	%al, %dx
	jmp	puts
5:	ret

msg:	.asciz	"\r\nkmt-boot failed\r\n"
shut:	.asciz	"Shutdown"
drive:	.byte	0x80
dap:	.byte	16, 0
dap_count:
	.word	0
	.word	0, BOUNCE_SEG
dap_lba:
	.quad	0
bm_gdt:					/* INT 15h AH=87h descriptors; the BIOS */
					/* fills 0x08 and 0x20-0x2f, so the */
					/* first 16 bytes are this, used before: */
wdap:	.byte	16, 0			/* this sector back to sector 0 */
	.word	1
	.word	0x7c00, 0
	.quad	0
	.word	0xffff, 0		/* source: the bounce buffer */
	.byte	BOUNCE_SEG >> 12, 0x93, 0, 0
bm_dst:	.word	0xffff, 0		/* destination, set per move */
	.byte	0, 0x93, 0, 0
	.fill	16, 1, 0
gdt:					/* the null descriptor holds the GDTR */
gdtr:	.word	gdt_end - gdt - 1
	.long	gdt
	.word	0
	.quad	0x00cf9a000000ffff	/* 0x08: flat 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: flat 32-bit data */
gdt_end:

	/* Filled in by ci/bochs-machine at these offsets: 3 entries, then */
	/* the PVH entry where a 4th entry's first sector would be, and */
	/* the zero sector count that ends the table. */
	.org	0x1cc
table:	.fill	36, 1, 0
pvh_entry:
	.long	0
	.long	0
booted:	.byte	0
	.org	510
	.byte	0x55, 0xaa

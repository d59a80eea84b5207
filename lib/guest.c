// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "abi/image.h"
#include "guest.h"
#include "test_util.h"

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

/* The CPUID KVM would give a guest (KVM_GET_SUPPORTED_CPUID). */
static bool supported_cpuid(u32 function, u32 index, struct cpuid_regs *r)
{
	int fd = kvm_open();
	struct kvm_cpuid2 *c = kvm_get_supported_cpuid(fd);
	bool found = false;
	u32 i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == function && e->index == index) {
			*r = (struct cpuid_regs){ e->eax, e->ebx, e->ecx, e->edx };
			found = true;
		}
	}
	close(fd);
	free(c);
	return found;
}

bool paging_mode_supported(enum paging_mode mode, char *why, size_t size)
{
	struct cpuid_regs r;

	if (mode != PAGING_LM5)
		return true;
	if (supported_cpuid(7, 0, &r) && (r.ecx & (1U << 16)))
		return true;
	snprintf(why, size, "CPU has no LA57 (5-level paging)");
	return false;
}

enum paging_mode paging_mode_parse(const char *name)
{
	int m;

	for (m = 0; m < PAGING_NR_MODES; m++)
		if (!strcmp(name, paging_mode_name(m)))
			return m;
	return PAGING_NR_MODES;
}

u64 vm_alloc_table_page(struct kvm_vm *vm)
{
	u64 pa = vm->pt_pool_next;

	TEST_ASSERT(pa < LAYOUT_PT_POOL_END, "page-table pool exhausted");
	vm->pt_pool_next += PAGE_SIZE_4K;
	memset(gpa_to_hva(vm, pa), 0, PAGE_SIZE_4K);
	return pa;
}

u64 vm_guest_export(struct kvm_vm *vm, u32 index)
{
	TEST_ASSERT(vm->image.exports, "the guest program exports nothing");
	return *(u64 *)gpa_to_hva(vm, vm->image.exports + 8ULL * index);
}

u64 vm_new_root(struct kvm_vm *vm)
{
	u64 root = vm_alloc_table_page(vm);

	pg_share(&vm->pt, root, vm->pt.root, 0, LAYOUT_RUNTIME_END, 2);
	return root;
}

u64 vm_arena_alloc(struct kvm_vm *vm, u64 size)
{
	u64 gpa = vm->arena_next;

	size = ALIGN_UP(size, 64);
	TEST_ASSERT(gpa + size <= LAYOUT_ARENA_END,
		    "arena exhausted (%llu bytes wanted)",
		    (unsigned long long)size);
	vm->arena_next += size;
	memset(gpa_to_hva(vm, gpa), 0, size);
	return gpa;
}

void vm_arena_reset(struct kvm_vm *vm)
{
	vm->arena_next = LAYOUT_ARENA;
}

static void *phys_hva(void *opaque, u64 pa)
{
	return __gpa_to_hva(opaque, pa);
}

static u64 phys_alloc(void *opaque)
{
	return vm_alloc_table_page(opaque);
}

struct pg_phys vm_pg_phys(struct kvm_vm *vm)
{
	return (struct pg_phys){ phys_hva, phys_alloc, vm };
}

/* An 8-byte segment descriptor (SDM vol. 3, 3.4.5). */
static u64 seg_desc(u32 base, u32 limit, u32 type, bool s, bool l, bool db)
{
	u64 d = (limit & 0xffffULL) | (u64)(base & 0xffffff) << 16;

	d |= (u64)type << 40 | (u64)s << 44 | 1ULL << 47;	/* P=1 */
	d |= (u64)((limit >> 16) & 0xf) << 48 | (u64)l << 53 | (u64)db << 54;
	d |= 1ULL << 55 | (u64)(base >> 24) << 56;		/* G=1 */
	return d;
}

static void build_gdt(struct kvm_vm *vm)
{
	u64 *gdt = gpa_to_hva(vm, LAYOUT_GDT);

	gdt[SEL_CODE32 / 8] = seg_desc(0, 0xfffff, 0xb, true, false, true);
	gdt[SEL_DATA / 8] = seg_desc(0, 0xfffff, 0x3, true, false, true);
	gdt[SEL_CODE64 / 8] = seg_desc(0, 0xfffff, 0xb, true, true, false);
	gdt[SEL_UCODE32 / 8] = seg_desc(0, 0xfffff, 0xb, true, false, true) | 3ULL << 45;
	gdt[SEL_UDATA / 8] = seg_desc(0, 0xfffff, 0x3, true, false, true) | 3ULL << 45;
	gdt[SEL_UCODE64 / 8] = seg_desc(0, 0xfffff, 0xb, true, true, false) | 3ULL << 45;
	/* Busy TSS, byte granular; the next 8 bytes (upper base) stay 0. */
	gdt[SEL_TSS / 8] = seg_desc(LAYOUT_TSS, 0x67, 0xb, false, false, false) &
			   ~(1ULL << 55);
	*(u16 *)((u8 *)gpa_to_hva(vm, LAYOUT_TSS) + 0x66) = 0x68; /* no I/O map */
	/* Ring-0 stack segment for entries from user mode (32-bit TSS). */
	*(u16 *)((u8 *)gpa_to_hva(vm, LAYOUT_TSS) + TSS_SS0) = SEL_DATA;
}

/*
 * Interrupt gates to the image's stubs (SDM vol. 3, 6.11/6.14): the
 * exceptions, and the DPL 3 gate user code returns through.
 */
static void build_idt(struct kvm_vm *vm)
{
	const u64 *stubs = gpa_to_hva(vm, vm->image.exc_stubs);
	bool lm = vm->mode >= PAGING_LM4;
	u64 *idt = gpa_to_hva(vm, LAYOUT_IDT);
	int v;

	for (v = 0; v < NR_IDT_VECTORS; v++) {
		u64 off = stubs[v];
		u64 dpl = v == USER_RETURN_VECTOR ? 3 : 0;
		u64 gate = (off & 0xffff) |
			   (u64)(lm ? SEL_CODE64 : SEL_CODE32) << 16 |
			   (0x8eULL | dpl << 5) << 40 | ((off >> 16) & 0xffff) << 48;

		if (lm) {
			idt[2 * v] = gate;
			idt[2 * v + 1] = off >> 32;
		} else {
			idt[v] = gate;
		}
	}
}

static void load_image(struct kvm_vm *vm, const struct guest_program *prog)
{
	const struct guest_image *img = vm->mode >= PAGING_LM4 ? &prog->img64 :
								  &prog->img32;
	size_t size = (size_t)(img->end - img->start);
	const struct guest_image_header *h = (const void *)img->start;

	TEST_ASSERT(img->start, "guest program %s has no %d-bit image",
		    prog->name, vm->mode >= PAGING_LM4 ? 64 : 32);
	TEST_ASSERT(size >= sizeof(*h) && h->magic == GUEST_IMAGE_MAGIC &&
		    h->bits == (vm->mode >= PAGING_LM4 ? 64u : 32u) &&
		    h->image_end <= LAYOUT_IMAGE + LAYOUT_IMAGE_MAX,
		    "guest image %s is not a valid %d-bit image", prog->name,
		    vm->mode >= PAGING_LM4 ? 64 : 32);
	memcpy(gpa_to_hva(vm, LAYOUT_IMAGE), img->start, size);
	vm->image = *h;
}

static void configure_cpu_features(struct kvm_vm *vm)
{
	struct cpuid_regs r;

	if (supported_cpuid(0x80000001, 0, &r)) {
		vm->pt.nxe = vm->mode != PAGING_NONPAE && (r.edx & (1U << 20));
		vm->pt.gbpages = r.edx & (1U << 26);
	}
	if (supported_cpuid(7, 0, &r)) {
		vm->pt.has_smep = r.ebx & (1U << 7);
		vm->pt.has_smap = r.ebx & (1U << 20);
	}
	if (vm->mode != PAGING_NONPAE && supported_cpuid(0x80000008, 0, &r))
		vm->pt.maxphyaddr = r.eax & 0xff;
}

struct kvm_vm *vm_create_guest(enum paging_mode mode,
			       const struct guest_program *prog, u64 mem_size)
{
	struct kvm_vm *vm = vm_create_bare();
	struct pg_phys phys = vm_pg_phys(vm);
	u64 pa;

	TEST_ASSERT(mem_size >= LAYOUT_RUNTIME_END, "guest memory too small");
	vm->mode = mode;
	vm->pt_pool_next = LAYOUT_PT_POOL;
	vm->arena_next = LAYOUT_ARENA;
	vm_add_memslot(vm, 0, 0, mem_size, MEM_ANON, 0);
	pg_init(&vm->pt, mode, &phys);
	configure_cpu_features(vm);
	/*
	 * Supervisor-only, except the page of the image the user-mode stubs
	 * run from and the user stack: with CR4.SMEP and CR4.SMAP the guest's
	 * own code, stacks and data must be supervisor pages.
	 */
	for (pa = PAGE_SIZE_4K; pa < LAYOUT_RUNTIME_END; pa += PAGE_SIZE_4K)
		pg_map(&vm->pt, pa, pa, PAGE_SIZE_4K,
		       pa == LAYOUT_USER_TEXT || pa == LAYOUT_USER_STACK ?
		       PTE_W | PTE_U : PTE_W);
	load_image(vm, prog);
	build_gdt(vm);
	build_idt(vm);
	return vm;
}

static struct kvm_segment segment(u16 sel, u8 type, bool s, bool l, bool db)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = db, .s = s, .l = l, .g = 1,
	};
}

/*
 * The TR type the vCPU starts with.  Intel VM entry demands a busy TSS
 * (11); SVM does not check, and QEMU's TCG (which runs our guests when it
 * emulates SVM for the kernel under test) aborts on a user-to-kernel
 * stack switch unless the cached type says "available" (9), as its own
 * LTR leaves it.  Real AMD CPUs accept either.
 */
static u8 tss_type(void)
{
	struct cpuid_regs r;

	if (supported_cpuid(0, 0, &r) && r.ebx == 0x68747541)	/* "Auth" */
		return 0x9;
	return 0xb;
}

static void setup_sregs(struct kvm_vcpu *vcpu, u64 percpu)
{
	struct kvm_vm *vm = vcpu->vm;
	bool lm = vm->mode >= PAGING_LM4;
	struct pg_regs regs = pg_mode_regs(vm->mode);
	struct kvm_sregs sr;

	vcpu_get_sregs(vcpu, &sr);
	sr.cs = lm ? segment(SEL_CODE64, 0xb, true, true, false) :
		     segment(SEL_CODE32, 0xb, true, false, true);
	/*
	 * DS/ES/FS/GS use the DPL 3 data segment so that a switch to user
	 * mode keeps them (IRET nulls data segments more privileged than
	 * the new CPL); GS carries the per-vCPU base across it.
	 */
	sr.ss = segment(SEL_DATA, 0x3, true, false, true);
	sr.ds = sr.es = sr.fs = segment(SEL_UDATA, 0x3, true, false, true);
	sr.ds.dpl = sr.es.dpl = sr.fs.dpl = 3;
	sr.gs = sr.ds;
	sr.gs.base = percpu;
	sr.tr = (struct kvm_segment){ .base = LAYOUT_TSS, .limit = 0x67,
				      .selector = SEL_TSS, .type = tss_type(),
				      .present = 1 };
	sr.ldt = (struct kvm_segment){ .unusable = 1 };
	sr.gdt.base = LAYOUT_GDT;
	sr.gdt.limit = GDT_ENTRIES * 8 - 1;
	sr.idt.base = LAYOUT_IDT;
	sr.idt.limit = (lm ? 16 : 8) * NR_IDT_VECTORS - 1;
	sr.cr0 = regs.cr0 | CR0_WP;
	sr.cr3 = vm->pt.root;
	sr.cr4 = regs.cr4;
	sr.efer = regs.efer | (vm->pt.nxe ? EFER_NXE : 0);
	vcpu_set_sregs(vcpu, &sr);
}

void vcpu_set_cr4_bits(struct kvm_vcpu *vcpu, u64 bits)
{
	struct kvm_sregs sr;

	vcpu_get_sregs(vcpu, &sr);
	sr.cr4 |= bits;
	/* KVM_GET_SREGS says busy on SVM: the type it entered with. */
	sr.tr.type = tss_type();
	vcpu_set_sregs(vcpu, &sr);
}

struct guest_percpu *vcpu_percpu(struct kvm_vcpu *vcpu)
{
	return gpa_to_hva(vcpu->vm,
			  LAYOUT_PERCPU + vcpu->id * LAYOUT_PERCPU_SIZE);
}

struct kvm_vcpu *vm_guest_vcpu_add(struct kvm_vm *vm, u32 id)
{
	struct kvm_vcpu *vcpu = vm_vcpu_create(vm, id);
	u64 percpu = LAYOUT_PERCPU + id * LAYOUT_PERCPU_SIZE;
	struct guest_percpu *pc = vcpu_percpu(vcpu);
	struct kvm_regs regs = { 0 };

	memset(pc, 0, LAYOUT_PERCPU_SIZE);
	pc->self = percpu;
	pc->vcpu_id = id;
	pc->paging_mode = vm->mode;
	vcpu->watch.progress = &pc->progress;
	setup_sregs(vcpu, percpu);
	regs.rip = vm->image.entry;
	regs.rsp = percpu + LAYOUT_PERCPU_SIZE;
	regs.rflags = 0x2;
	vcpu_set_regs(vcpu, &regs);
	return vcpu;
}

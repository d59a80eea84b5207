// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm.h"
#include "test_util.h"

long __kvm_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg);
}

/* A VM that KVM has marked dead or bugged answers every ioctl with EIO. */
static const char *vm_state(struct kvm_vm *vm)
{
	if (!vm || vm->fd < 0)
		return "";
	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) < 0 &&
	    errno == EIO)
		return "; KVM has killed the VM (EIO on every ioctl)";
	return "; the VM is still alive";
}

long kvm_ioctl_checked(struct kvm_vm *vm, int fd, unsigned long cmd,
		       const char *name, void *arg, const char *file, int line)
{
	long r = ioctl(fd, cmd, arg);
	int err = errno;

	if (r < 0)
		test_assert_fail(file, line, name, "%s failed: %s (errno %d)%s",
				 name, strerror(err), err, vm_state(vm));
	return r;
}

int kvm_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	TEST_ASSERT(fd >= 0, "open /dev/kvm: %s", strerror(errno));
	return fd;
}

int kvm_check_cap(long cap)
{
	int fd = kvm_open();
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	close(fd);
	return r < 0 ? 0 : r;
}

struct kvm_vm *vm_create_bare(void)
{
	struct kvm_vm *vm = calloc(1, sizeof(*vm));

	TEST_ASSERT(vm, "out of memory");
	vm->kvm_fd = kvm_open();
	vm->fd = -1;
	vm->fd = (int)kvm_ioctl_checked(NULL, vm->kvm_fd, KVM_CREATE_VM,
					"KVM_CREATE_VM", NULL, __FILE__,
					__LINE__);
	return vm;
}

void vm_enable_cap(struct kvm_vm *vm, u32 cap, u64 arg0)
{
	struct kvm_enable_cap c = { .cap = cap, .args = { arg0 } };

	vm_ioctl(vm, KVM_ENABLE_CAP, &c);
}

struct kvm_memslot *vm_memslot(struct kvm_vm *vm, u32 slot)
{
	TEST_ASSERT(slot < KVM_MAX_TEST_SLOTS && vm->slots[slot].used,
		    "memslot %u does not exist", slot);
	return &vm->slots[slot];
}

static void set_user_memory(struct kvm_vm *vm, struct kvm_memslot *s,
			    u64 size)
{
	struct kvm_userspace_memory_region r = {
		.slot = s->slot,
		.flags = s->flags,
		.guest_phys_addr = s->gpa,
		.memory_size = size,
		.userspace_addr = (u64)(uintptr_t)s->mem.hva,
	};

	vm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
}

int __vm_add_memslot_at(struct kvm_vm *vm, u32 slot, u64 gpa, u64 size,
			u64 host_offset, enum mem_backing backing, u32 flags,
			char *why, size_t why_size)
{
	u64 page = mem_backing_page_size(backing);
	struct kvm_memslot *s;

	TEST_ASSERT(slot < KVM_MAX_TEST_SLOTS && !vm->slots[slot].used,
		    "memslot %u is in use or out of range", slot);
	s = &vm->slots[slot];
	if (mem_region_alloc(&s->mem, ALIGN_UP(host_offset + size, page),
			     backing, why, why_size))
		return -1;
	s->mem.hva = (u8 *)s->mem.hva + host_offset;
	s->mem.size = size;
	s->used = true;
	s->slot = slot;
	s->flags = flags;
	s->gpa = gpa;
	set_user_memory(vm, s, size);
	return 0;
}

int __vm_add_memslot(struct kvm_vm *vm, u32 slot, u64 gpa, u64 size,
		     enum mem_backing backing, u32 flags, char *why,
		     size_t why_size)
{
	return __vm_add_memslot_at(vm, slot, gpa, size, 0, backing, flags,
				   why, why_size);
}

void vm_add_memslot(struct kvm_vm *vm, u32 slot, u64 gpa, u64 size,
		    enum mem_backing backing, u32 flags)
{
	char why[256];

	TEST_ASSERT(!__vm_add_memslot(vm, slot, gpa, size, backing, flags,
				      why, sizeof(why)),
		    "memslot %u (%s, %llu MiB at 0x%llx): %s", slot,
		    mem_backing_name(backing), (unsigned long long)size >> 20,
		    (unsigned long long)gpa, why);
}

void vm_set_memslot_flags(struct kvm_vm *vm, u32 slot, u32 flags)
{
	struct kvm_memslot *s = vm_memslot(vm, slot);

	s->flags = flags;
	set_user_memory(vm, s, s->mem.size);
}

void vm_delete_memslot(struct kvm_vm *vm, u32 slot)
{
	struct kvm_memslot *s = vm_memslot(vm, slot);

	set_user_memory(vm, s, 0);
	mem_region_free(&s->mem);
	s->used = false;
}

void *__gpa_to_hva(struct kvm_vm *vm, u64 gpa)
{
	int i;

	for (i = 0; i < KVM_MAX_TEST_SLOTS; i++) {
		struct kvm_memslot *s = &vm->slots[i];

		if (s->used && gpa >= s->gpa && gpa - s->gpa < s->mem.size)
			return (u8 *)s->mem.hva + (gpa - s->gpa);
	}
	if (gpa >= vm->mmio.gpa && gpa - vm->mmio.gpa < vm->mmio.size)
		return vm->mmio.buf + (gpa - vm->mmio.gpa);
	return NULL;
}

void vm_add_mmio_ram(struct kvm_vm *vm, u64 gpa, u64 size)
{
	u64 off;

	TEST_ASSERT(!vm->mmio.size && size && !((gpa | size) & (PAGE_SIZE_4K - 1)),
		    "MMIO RAM at GPA 0x%llx size 0x%llx: one, 4 KiB aligned",
		    (unsigned long long)gpa, (unsigned long long)size);
	for (off = 0; off < size; off += PAGE_SIZE_4K)
		TEST_ASSERT(!__gpa_to_hva(vm, gpa + off),
			    "MMIO RAM at GPA 0x%llx: a memslot is there",
			    (unsigned long long)(gpa + off));
	vm->mmio.buf = calloc(1, size);
	TEST_ASSERT(vm->mmio.buf, "out of memory");
	vm->mmio.gpa = gpa;
	vm->mmio.size = size;
}

/* KVM_EXIT_MMIO into the MMIO RAM: served; false for any other exit. */
static bool serve_mmio(struct kvm_vcpu *vcpu)
{
	struct kvm_mmio_ram *m = &vcpu->vm->mmio;
	struct kvm_run *run = vcpu->run;
	u64 a = run->mmio.phys_addr;
	u8 *ram;

	if (run->exit_reason != KVM_EXIT_MMIO || !m->size ||
	    run->mmio.len > sizeof(run->mmio.data) || a < m->gpa ||
	    a - m->gpa + run->mmio.len > m->size)
		return false;
	/* A memslot over it now: an exit there is KVM's mistake. */
	ram = __gpa_to_hva(vcpu->vm, a);
	if (ram != m->buf + (a - m->gpa))
		return false;
	if (run->mmio.is_write) {
		memcpy(ram, run->mmio.data, run->mmio.len);
		m->writes++;
	} else {
		memcpy(run->mmio.data, ram, run->mmio.len);
		m->reads++;
	}
	return true;
}

void *gpa_to_hva(struct kvm_vm *vm, u64 gpa)
{
	void *hva = __gpa_to_hva(vm, gpa);

	TEST_ASSERT(hva, "GPA 0x%llx is in no memslot", (unsigned long long)gpa);
	return hva;
}

void vm_get_dirty_log(struct kvm_vm *vm, u32 slot, void *bitmap)
{
	struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bitmap };

	vm_ioctl(vm, KVM_GET_DIRTY_LOG, &log);
}

void vm_clear_dirty_log(struct kvm_vm *vm, u32 slot, void *bitmap,
			u64 first_page, u32 num_pages)
{
	struct kvm_clear_dirty_log c = {
		.slot = slot,
		.first_page = first_page,
		.num_pages = num_pages,
		.dirty_bitmap = bitmap,
	};

	vm_ioctl(vm, KVM_CLEAR_DIRTY_LOG, &c);
}

struct kvm_cpuid2 *kvm_get_supported_cpuid(int kvm_fd)
{
	int n = 128;
	struct kvm_cpuid2 *c;

	for (;;) {
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		TEST_ASSERT(c, "out of memory");
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		TEST_ASSERT(errno == E2BIG, "KVM_GET_SUPPORTED_CPUID: %s",
			    strerror(errno));
		free(c);
		n *= 2;
	}
}

/* Give the guest every CPUID feature KVM supports (PAE, NX, LM, ...). */
static void vcpu_set_supported_cpuid(struct kvm_vcpu *vcpu)
{
	struct kvm_cpuid2 *c = kvm_get_supported_cpuid(vcpu->vm->kvm_fd);

	vcpu_ioctl(vcpu, KVM_SET_CPUID2, c);
	free(c);
}

struct kvm_vcpu *vm_vcpu_create(struct kvm_vm *vm, u32 id)
{
	struct kvm_vcpu *vcpu = calloc(1, sizeof(*vcpu));

	TEST_ASSERT(vcpu && id < LAYOUT_MAX_VCPUS && !vm->vcpus[id],
		    "cannot create vCPU %u", id);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = (int)vm_ioctl(vm, KVM_CREATE_VCPU, (void *)(uintptr_t)id);
	vcpu->run_size = (size_t)kvm_ioctl_checked(vm, vm->kvm_fd,
		KVM_GET_VCPU_MMAP_SIZE, "KVM_GET_VCPU_MMAP_SIZE", NULL,
		__FILE__, __LINE__);
	vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap(kvm_run): %s",
		    strerror(errno));
	vcpu_set_supported_cpuid(vcpu);
	vm->vcpus[id] = vcpu;
	return vcpu;
}

int __vcpu_run(struct kvm_vcpu *vcpu)
{
	bool intr;
	int r;

	for (;;) {
		watchdog_enter(vcpu);
		r = ioctl(vcpu->fd, KVM_RUN, NULL);
		intr = r < 0 && errno == EINTR;
		if (watchdog_leave(vcpu, intr, vcpu->hang_report,
				   sizeof(vcpu->hang_report))) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (!intr && (r || !serve_mmio(vcpu)))
			return r;
	}
}

void vcpu_run_check(struct kvm_vcpu *vcpu, int r)
{
	int err = errno;

	TEST_ASSERT(r == 0 || err != ETIMEDOUT, "%s", vcpu->hang_report);
	TEST_ASSERT(r == 0, "KVM_RUN on vCPU %u failed: %s (errno %d)%s",
		    vcpu->id, strerror(err), err, vm_state(vcpu->vm));
}

void vcpu_run(struct kvm_vcpu *vcpu)
{
	vcpu_run_check(vcpu, __vcpu_run(vcpu));
}

void vcpu_get_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs)
{
	vcpu_ioctl(vcpu, KVM_GET_REGS, regs);
}

void vcpu_set_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs)
{
	vcpu_ioctl(vcpu, KVM_SET_REGS, regs);
}

void vcpu_get_sregs(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	vcpu_ioctl(vcpu, KVM_GET_SREGS, sregs);
}

void vcpu_set_sregs(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	vcpu_ioctl(vcpu, KVM_SET_SREGS, sregs);
}

static void vcpu_free(struct kvm_vcpu *vcpu)
{
	watchdog_vcpu_release(vcpu);
	munmap(vcpu->run, vcpu->run_size);
	close(vcpu->fd);
	free(vcpu);
}

void vm_destroy(struct kvm_vm *vm)
{
	int i;

	for (i = 0; i < LAYOUT_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			vcpu_free(vm->vcpus[i]);
	close(vm->fd);
	close(vm->kvm_fd);
	for (i = 0; i < KVM_MAX_TEST_SLOTS; i++)
		if (vm->slots[i].used)
			mem_region_free(&vm->slots[i].mem);
	free(vm->mmio.buf);
	free(vm);
}

const char *exit_reason_name(u32 reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN (triple fault)",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "other";
}

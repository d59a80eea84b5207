// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the host side of guest -> host calls (lib/ucall.c) and of
 * the structures guest and host share (abi/ucall_msg.h, abi/percpu.h).
 *
 * Every KVM test reads its guest's results through ucall_decode_io(): if
 * it accepted an I/O exit that is not a ucall (another port, a narrower
 * access, an IN, a string OUT) it would read a bogus GPA, and if it
 * rejected a real one every test would die with "unexpected exit".  Guest
 * code is also built as 32-bit, where a u64 is only 4-byte aligned inside
 * a struct, so the shared structs must have the same layout under both
 * ABIs; the host reads them straight out of guest memory.  This test feeds
 * ucall_decode_io() synthetic struct kvm_run pages and checks both layouts
 * field by field; it needs no KVM.
 */
#include <linux/kvm.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "abi/layout.h"
#include "abi/percpu.h"
#include "abi/ucall_msg.h"
#include "tap.h"
#include "test_util.h"
#include "ucall.h"

#define RUN_SIZE	4096
#define DATA_OFFSET	2048
#define GPA_UNSET	0x5a5a5a5a5a5a5a5aULL

/* A struct kvm_run page as KVM leaves it after a guest's ucall OUT. */
static struct kvm_run *run_ucall(void *page, u32 gpa)
{
	struct kvm_run *run = page;

	memset(page, 0xcc, RUN_SIZE);
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.size = 4;
	run->io.port = UCALL_PORT;
	run->io.count = 1;
	run->io.data_offset = DATA_OFFSET;
	memcpy((u8 *)page + DATA_OFFSET, &gpa, sizeof(gpa));
	return run;
}

static void check_decodes(void *page, u32 gpa)
{
	u64 got = GPA_UNSET;
	bool ok = ucall_decode_io(run_ucall(page, gpa), &got);

	if (!tap_check(ok, "ucall OUT of GPA 0x%x is decoded", gpa))
		tap_diag("expected true, actual false");
	if (!tap_check(got == gpa, "ucall OUT of GPA 0x%x yields that GPA",
		       gpa))
		tap_diag("expected 0x%x, actual 0x%llx", gpa,
			 (unsigned long long)got);
}

/* The I/O data sits wherever data_offset says, not at a fixed place. */
static void check_data_offset(void *page)
{
	struct kvm_run *run = run_ucall(page, 0x10000);
	u32 other = 0x12340;
	u64 got = GPA_UNSET;
	bool ok;

	run->io.data_offset = 3072;
	memcpy((u8 *)page + 3072, &other, sizeof(other));
	ok = ucall_decode_io(run, &got);
	if (!tap_check(ok && got == other,
		       "GPA read at io.data_offset 3072"))
		tap_diag("expected true and 0x%x, actual %d and 0x%llx",
			 other, ok, (unsigned long long)got);
}

/* One field of a ucall exit changed to a value that makes it no ucall. */
enum run_field {
	F_EXIT_REASON,
	F_DIRECTION,
	F_SIZE,
	F_PORT,
	F_COUNT,
};

struct bad_exit {
	const char *what;
	enum run_field field;
	u32 value;
};

static const struct bad_exit bad_exits[] = {
	{ "port UCALL_PORT + 1", F_PORT, UCALL_PORT + 1 },
	{ "port 0x80", F_PORT, 0x80 },
	{ "port 0x100 | UCALL_PORT", F_PORT, 0x100 | UCALL_PORT },
	{ "size 1", F_SIZE, 1 },
	{ "size 2", F_SIZE, 2 },
	{ "direction IN", F_DIRECTION, KVM_EXIT_IO_IN },
	{ "count 0", F_COUNT, 0 },
	{ "count 2 (string OUT)", F_COUNT, 2 },
	{ "exit reason MMIO", F_EXIT_REASON, KVM_EXIT_MMIO },
	{ "exit reason HLT", F_EXIT_REASON, KVM_EXIT_HLT },
	{ "exit reason SHUTDOWN", F_EXIT_REASON, KVM_EXIT_SHUTDOWN },
	{ "exit reason INTERNAL_ERROR", F_EXIT_REASON, KVM_EXIT_INTERNAL_ERROR },
	{ "exit reason FAIL_ENTRY", F_EXIT_REASON, KVM_EXIT_FAIL_ENTRY },
	{ "exit reason UNKNOWN", F_EXIT_REASON, KVM_EXIT_UNKNOWN },
};

static void mangle(struct kvm_run *run, const struct bad_exit *b)
{
	switch (b->field) {
	case F_EXIT_REASON:
		run->exit_reason = b->value;
		break;
	case F_DIRECTION:
		run->io.direction = (u8)b->value;
		break;
	case F_SIZE:
		run->io.size = (u8)b->value;
		break;
	case F_PORT:
		run->io.port = (u16)b->value;
		break;
	case F_COUNT:
		run->io.count = b->value;
		break;
	}
}

static void check_rejects(void *page, const struct bad_exit *b)
{
	struct kvm_run *run = run_ucall(page, 0x10000);
	u64 got = GPA_UNSET;
	bool ok;

	mangle(run, b);
	ok = ucall_decode_io(run, &got);
	if (!tap_check(!ok, "rejects %s", b->what))
		tap_diag("expected false, actual true (GPA 0x%llx); exit %u dir %u size %u port 0x%x count %u",
			 (unsigned long long)got, run->exit_reason,
			 run->io.direction, run->io.size, run->io.port,
			 run->io.count);
	if (!tap_check(got == GPA_UNSET, "%s leaves the GPA untouched",
		       b->what))
		tap_diag("expected 0x%llx, actual 0x%llx",
			 (unsigned long long)GPA_UNSET,
			 (unsigned long long)got);
}

static void test_decode(void)
{
	void *page = aligned_alloc(RUN_SIZE, RUN_SIZE);
	size_t i;

	TEST_ASSERT(page, "out of memory");
	check_decodes(page, 0x10000 + offsetof(struct guest_percpu, uc));
	check_decodes(page, LAYOUT_RUNTIME_END - sizeof(struct ucall));
	/* A 32-bit GPA with bit 31 set must not be sign-extended. */
	check_decodes(page, 0xfffff000U);
	check_data_offset(page);
	for (i = 0; i < ARRAY_SIZE(bad_exits); i++)
		check_rejects(page, &bad_exits[i]);
	free(page);
}

/*
 * The layouts the i386 ABI gives the shared structs: the same fields, but
 * every u64 only 4-byte aligned, as GCC -m32 lays out a struct member.
 * Where a field's offset or the size differs from the host's, 32-bit guest
 * code and the 64-bit host disagree about the struct.
 */
typedef u64 u64_i386 __attribute__((aligned(4)));

struct ucall_i386 {
	u32 cmd;
	u32 line;
	u64_i386 args[UCALL_NR_ARGS];
	char file[UCALL_FILE_LEN];
	char text[UCALL_TEXT_LEN];
};

struct fault_info_i386 {
	u32 vector;
	u32 error_code;
	u64_i386 cr2;
};

struct guest_percpu_i386 {
	u64_i386 self;
	u64_i386 fixup;
	u32 vcpu_id;
	u32 paging_mode;
	struct fault_info_i386 fault;
	u64_i386 args[GUEST_NR_ARGS];
	struct ucall_i386 uc;
	u64_i386 user_sp;
	u32 user_active;
};

KMT_STATIC_ASSERT(alignof(u64_i386) == 4);

static void check_off(size_t actual, size_t expected, const char *what)
{
	if (!tap_check(actual == expected, "%s is %zu", what, expected))
		tap_diag("expected %zu, actual %zu", expected, actual);
}

#define CHECK_BOTH(type, field, expected)				\
	do {								\
		check_off(offsetof(struct type, field), (expected),	\
			  "64-bit offsetof(" #type ", " #field ")");	\
		check_off(offsetof(struct type##_i386, field),		\
			  (expected),					\
			  "32-bit offsetof(" #type ", " #field ")");	\
	} while (0)

#define CHECK_SIZE(type, expected)					\
	do {								\
		check_off(sizeof(struct type), (expected),		\
			  "64-bit sizeof(" #type ")");			\
		check_off(sizeof(struct type##_i386), (expected),	\
			  "32-bit sizeof(" #type ")");			\
	} while (0)

static void test_ucall_abi(void)
{
	CHECK_BOTH(ucall, cmd, 0);
	CHECK_BOTH(ucall, line, 4);
	CHECK_BOTH(ucall, args, 8);
	CHECK_BOTH(ucall, file, 8 + 8 * UCALL_NR_ARGS);
	CHECK_BOTH(ucall, text, 8 + 8 * UCALL_NR_ARGS + UCALL_FILE_LEN);
	CHECK_SIZE(ucall, 8 + 8 * UCALL_NR_ARGS + UCALL_FILE_LEN +
		   UCALL_TEXT_LEN);
	check_off(sizeof(((struct ucall *)0)->args[0]), 8,
		  "sizeof(ucall.args[0])");
}

static void test_percpu_abi(void)
{
	CHECK_BOTH(fault_info, vector, 0);
	CHECK_BOTH(fault_info, error_code, 4);
	CHECK_BOTH(fault_info, cr2, 8);
	CHECK_SIZE(fault_info, 16);
	CHECK_BOTH(guest_percpu, self, 0);
	CHECK_BOTH(guest_percpu, fixup, PERCPU_OFF_FIXUP);
	CHECK_BOTH(guest_percpu, vcpu_id, 16);
	CHECK_BOTH(guest_percpu, paging_mode, 20);
	CHECK_BOTH(guest_percpu, fault, PERCPU_OFF_FAULT);
	CHECK_BOTH(guest_percpu, args, PERCPU_OFF_FAULT + 16);
	CHECK_BOTH(guest_percpu, uc, PERCPU_OFF_FAULT + 16 + 8 * GUEST_NR_ARGS);
	CHECK_BOTH(guest_percpu, user_sp, PERCPU_OFF_USER_SP);
	CHECK_BOTH(guest_percpu, user_active, PERCPU_OFF_USER_SP + 8);
	check_off(PERCPU_OFF_USER_SP, PERCPU_OFF_FAULT + 16 + 8 * GUEST_NR_ARGS +
		  sizeof(struct ucall), "PERCPU_OFF_USER_SP");
	check_off(PERCPU_OFF_FIXUP, 8, "PERCPU_OFF_FIXUP");
	check_off(PERCPU_OFF_FAULT, 24, "PERCPU_OFF_FAULT");
	/* The rest of the per-vCPU area is the stack; leave it most of that. */
	if (!tap_check(sizeof(struct guest_percpu) <= LAYOUT_PERCPU_SIZE / 4,
		       "struct guest_percpu leaves the stack 3/4 of its area"))
		tap_diag("expected <= %llu bytes, actual %zu",
			 LAYOUT_PERCPU_SIZE / 4, sizeof(struct guest_percpu));
}

int main(void)
{
	tap_init(stdout);
	test_decode();
	test_ucall_abi();
	test_percpu_abi();
	return tap_finish();
}

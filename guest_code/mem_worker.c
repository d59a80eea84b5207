// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory worker (see abi/worker_cmd.h): fills, verifies and rewrites
 * pages on the host's command, so that dirty-logging tests can touch whole
 * memslots without one op per access.
 */
#include "runtime/guest.h"

#include "abi/worker_cmd.h"

static u32 *page_ptr(const u64 *args, u32 page)
{
	return (u32 *)(unsigned long)(args[WORKER_BASE] + (u64)page * 4096);
}

static void write_page(const u64 *args, u32 page)
{
	u32 *p = page_ptr(args, page);
	u32 v = worker_pattern(page, (u32)args[WORKER_GEN]);

	p[0] = v;
	p[worker_second_word(page)] = ~v;
}

static void verify_page(const u64 *args, u32 page)
{
	u32 *p = page_ptr(args, page);
	u32 v = worker_pattern(page, (u32)args[WORKER_GEN]);

	if (p[0] != v || p[worker_second_word(page)] != ~v) {
		guest_printf("page %u at VA %p: words 0x%x 0x%x, expected 0x%x 0x%x",
			     page, p, p[0], p[worker_second_word(page)], v, ~v);
		GUEST_ASSERT_EQ(p[0], v);
		GUEST_ASSERT_EQ(p[worker_second_word(page)], ~v);
	}
}

static void for_each_page(struct guest_percpu *pc,
			  void (*fn)(const u64 *, u32), bool list)
{
	const u64 *args = pc->args;
	const u32 *idx = (const u32 *)(unsigned long)args[WORKER_LIST];
	u32 n = (u32)(list ? args[WORKER_COUNT] : args[WORKER_PAGES]), i;

	for (i = 0; i < n; i++) {
		fn(args, list ? idx[i] : i);
		GUEST_PROGRESS(pc, pc->progress + 1);
	}
}

void guest_main(struct guest_percpu *pc)
{
	for (;;) {
		GUEST_SYNC(0, 0);
		switch (pc->args[WORKER_CMD]) {
		case WORKER_EXIT:
			return;
		case WORKER_FILL:
			for_each_page(pc, write_page, false);
			break;
		case WORKER_VERIFY:
			for_each_page(pc, verify_page, false);
			break;
		case WORKER_WRITE_LIST:
			for_each_page(pc, write_page, true);
			break;
		case WORKER_VERIFY_LIST:
			for_each_page(pc, verify_page, true);
			break;
		default:
			GUEST_ASSERT_EQ(pc->args[WORKER_CMD], WORKER_EXIT);
		}
	}
}

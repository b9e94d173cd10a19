// SPDX-License-Identifier: GPL-2.0
/*
 * proto_fuzz.c -- libFuzzer target: arbitrary bytes into one connection
 * of the protocol layer over the in-memory backend, fed in chunks whose
 * sizes the input's first byte picks, with the output drained as a
 * socket would.  `make -C tools/vmemcached fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define MAX_ITEM 4096

static struct vmcd_server srv;
static char scratch[MAX_ITEM + 64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmcd_backend *be;
	struct vmcd_conn c;
	size_t i = 1, step, k, rounds = 0;

	if (!be) {
		be = vmcd_backend_mem(1 << 20);
		vmcd_server_init(&srv, be, MAX_ITEM);
	}
	if (!size)
		return 0;
	step = data[0] % 64 + 1;
	if (vmcd_conn_init(&c, &srv, scratch, sizeof(scratch)))
		return 0;
	while (!c.closing && (i < size || c.out.len > c.out.off)) {
		k = size - i < step ? size - i : step;
		if (k && vmcd_want_input(&c)) {
			size_t room = vmcd_in_space(&c);

			if (k > room)
				k = room;
			memcpy(c.in.p + c.in.len, data + i, k);
			c.in.len += k;
			i += k;
		}
		vmcd_process(&c);
		/* the output stays bounded */
		if (c.out.len - c.out.off > VMCD_OUT_HIGH + MAX_ITEM + 1024)
			abort();
		vmcd_out_sent(&c, c.out.len - c.out.off);
		if (++rounds > 1000000)
			abort();	/* no progress */
	}
	vmcd_conn_free(&c);
	return 0;
}

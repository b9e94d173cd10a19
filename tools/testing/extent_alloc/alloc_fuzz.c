// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the fuzz input picks an extent size and a pool, then
 * a sequence of gets (any length, up to U64_MAX, into arrays of 1..16
 * extents) and puts, run on module/extent_alloc.c and on the reference
 * model of model.h, which must agree after every step.  `make fuzz-alloc`
 * builds and runs it.
 */
#include <stdint.h>

#include "model.h"

/* Consumes the input a byte at a time; zeros once it is used up. */
struct input {
	const u8 *p;
	size_t left;
};

static u64 take(struct input *in, unsigned int bytes)
{
	u64 v = 0;

	while (bytes--) {
		v = v << 8 | (in->left ? *in->p : 0);
		if (in->left) {
			in->p++;
			in->left--;
		}
	}
	return v;
}

static void fail(struct model *m)
{
	fprintf(stderr, "model mismatch: %s\n", m->err);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct input in = { data, size };
	struct model m;
	u32 unit;
	u64 units, pool;

	if (!ready) {
		if (vmc_extent_cache_init())
			abort();
		ready = true;
	}
	unit = 1 + take(&in, 2) % 4096;
	units = take(&in, 1) + 1;
	pool = units * unit + take(&in, 2) % unit;
	if (model_init(&m, pool, unit))
		fail(&m);
	while (in.left) {
		u8 op = take(&in, 1);
		u64 len;

		switch (op % 4) {
		case 0:
		case 1:	/* a length of up to a few units */
			len = 1 + take(&in, 2) % (8ULL * unit);
			break;
		case 2:	/* anything, past the pool and near U64_MAX too */
			len = take(&in, 8);
			if (!len)
				len = 1;
			break;
		default:
			if (m.nlive)
				model_put(&m, take(&in, 1) % m.nlive);
			if (model_check(&m))
				fail(&m);
			continue;
		}
		if (model_get(&m, len, 1 + (op >> 4)) || model_check(&m))
			fail(&m);
	}
	if (model_fini(&m))
		fail(&m);
	return 0;
}

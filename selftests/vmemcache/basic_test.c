// SPDX-License-Identifier: GPL-2.0
/*
 * Basic operations of /dev/vmemcache: put, get, exists and evict round
 * trips, binary and extreme keys, tiny and multi-MiB values, values split
 * over non-contiguous extents, partial reads, replacement, and the exact
 * accounting of every statistics counter.
 */
#include "vmc_test.h"

VMC_FIXTURE(basic)

static uint64_t extents(uint64_t len, uint64_t extent)
{
	return VMC_ROUND_UP(len, extent);
}

TEST_F(basic, round_trip)
{
	char buf[16];
	uint64_t copied, size;

	ASSERT_EQ(0, vmc_put(self->fd, "hello", 5, "world", 5, 0));
	ASSERT_EQ(0, vmc_exists(self->fd, "hello", 5, &size));
	ASSERT_EQ(5u, size);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, vmc_get(self->fd, "hello", 5, buf, sizeof(buf), 0,
			     &copied, &size));
	ASSERT_EQ(5u, copied);
	ASSERT_EQ(5u, size);
	ASSERT_STREQ("world", buf);
	/* keys are compared whole: no prefix, no extension matches */
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "hell", 4, NULL));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "hello!", 6, NULL));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "Hello", 5, NULL));
	ASSERT_EQ(0, vmc_evict(self->fd, "hello", 5));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "hello", 5, NULL));
	ASSERT_EQ(-ENOENT, vmc_get(self->fd, "hello", 5, buf, sizeof(buf), 0,
				   NULL, NULL));
	ASSERT_EQ(-ENOENT, vmc_evict(self->fd, "hello", 5));
	/* and the key can be put again */
	ASSERT_EQ(0, vmc_put(self->fd, "hello", 5, "again", 5, 0));
	ASSERT_EQ(0, vmc_get(self->fd, "hello", 5, buf, sizeof(buf), 0,
			     &copied, &size));
	ASSERT_EQ(0, memcmp(buf, "again", 5));
}

TEST_F(basic, binary_keys)
{
	static const struct { const char *key; uint32_t len; } keys[] = {
		{ "a", 1 }, { "a\0", 2 }, { "a\0b", 3 }, { "a\0c", 3 },
		{ "\0", 1 }, { "\0\0", 2 }, { "\0\0\0\0\0\0\0\0", 8 },
		{ "\xff", 1 }, { "\xff\0\xff", 3 }, { "b\0a", 3 },
	};
	unsigned int i, j;
	uint8_t k[1];

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		ASSERT_EQ(0, vmc_put_pattern(self->fd, keys[i].key, keys[i].len,
					     10 + i, 100 + i, 0))
			TH_LOG("key %u", i);
	}
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		VMC_ASSERT_VALUE(self->fd, keys[i].key, keys[i].len, 10 + i,
				 100 + i);
	}
	/* every single-byte key is its own key */
	for (j = 0; j < 256; j++) {
		k[0] = (uint8_t)j;
		if (j == 'a' || j == 0 || j == 0xff)
			continue;
		ASSERT_EQ(0, vmc_put_pattern(self->fd, k, 1, 1, j, 0));
	}
	for (j = 0; j < 256; j++) {
		k[0] = (uint8_t)j;
		if (j == 'a' || j == 0 || j == 0xff)
			continue;
		VMC_ASSERT_VALUE(self->fd, k, 1, 1, j);
	}
	/* evicting one leaves its look-alikes */
	ASSERT_EQ(0, vmc_evict(self->fd, "a\0b", 3));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "a\0b", 3, NULL));
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (i != 2) {
			VMC_ASSERT_VALUE(self->fd, keys[i].key, keys[i].len,
					 10 + i, 100 + i);
		}
}

TEST_F(basic, max_keys)
{
	const uint32_t max = VMEMCACHE_MAX_KEY_SIZE;
	struct vmemcache_stats st0, st1, st2;
	uint8_t *a = malloc(max), *b = malloc(max);

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	vmc_fill(a, max, 1);
	memcpy(b, a, max);

	ASSERT_EQ(0, vmc_stats(self->fd, &st0));
	ASSERT_EQ(0, vmc_put(self->fd, a, 1, "x", 1, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st1));
	ASSERT_LT(st0.dram_used, st1.dram_used);
	ASSERT_EQ(0, vmc_evict(self->fd, a, 1));

	ASSERT_EQ(0, vmc_put_pattern(self->fd, a, max, 300, 1, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st2));
	/* the 65536-byte key costs about 65535 bytes more than the 1-byte */
	ASSERT_LE(st1.dram_used + max - 1024, st2.dram_used)
		TH_LOG("dram_used: 1-byte key %llu, 64 KiB key %llu",
		       st1.dram_used, st2.dram_used);

	/* keys that differ only in their last byte, or their first */
	b[max - 1] ^= 1;
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, b, max, NULL));
	ASSERT_EQ(0, vmc_put_pattern(self->fd, b, max, 301, 2, 0));
	b[max - 1] ^= 1;
	b[0] ^= 1;
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, b, max, NULL));
	ASSERT_EQ(0, vmc_put_pattern(self->fd, b, max, 302, 3, 0));
	/* a prefix of the long key is another key */
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, a, max - 1, NULL));

	VMC_ASSERT_VALUE(self->fd, a, max, 300, 1);
	VMC_ASSERT_VALUE(self->fd, b, max, 302, 3);
	b[0] ^= 1;
	b[max - 1] ^= 1;
	VMC_ASSERT_VALUE(self->fd, b, max, 301, 2);
	ASSERT_EQ(0, vmc_evict(self->fd, a, max));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, a, max, NULL));
	VMC_ASSERT_VALUE(self->fd, b, max, 301, 2);
	free(a);
	free(b);
}

TEST_F(basic, value_sizes)
{
	static const uint64_t sizes[] = {
		1, 2, 7, 8, 9, 63, 64, 65, 255, 256, 257, 511, 512, 513,
		4095, 4096, 4097, 65536, 65537, (1 << 20) - 1, 1 << 20,
		(3 << 20) + 17, 8 << 20,
	};
	struct vmemcache_stats st;
	uint64_t used = 0;
	unsigned int i;
	char key[32];
	uint32_t klen;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		klen = vmc_key(key, sizeof(key), "size", i);
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, sizes[i],
					     1000 + i, 0))
			TH_LOG("size %llu", (unsigned long long)sizes[i]);
		used += extents(sizes[i], VMC_DEFAULT_EXTENT);
		ASSERT_EQ(0, vmc_stats(self->fd, &st));
		ASSERT_EQ(used, st.pool_used)
			TH_LOG("after a value of %llu bytes",
			       (unsigned long long)sizes[i]);
		ASSERT_EQ(i + 1, st.entries);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t size = 0;

		klen = vmc_key(key, sizeof(key), "size", i);
		ASSERT_EQ(0, vmc_exists(self->fd, key, klen, &size));
		ASSERT_EQ(sizes[i], size);
		VMC_ASSERT_VALUE(self->fd, key, klen, sizes[i], 1000 + i);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		klen = vmc_key(key, sizeof(key), "size", i);
		ASSERT_EQ(0, vmc_evict(self->fd, key, klen));
		used -= extents(sizes[i], VMC_DEFAULT_EXTENT);
		ASSERT_EQ(0, vmc_stats(self->fd, &st));
		ASSERT_EQ(used, st.pool_used);
	}
	ASSERT_EQ(0u, st.entries);
	ASSERT_EQ(1u, st.free_extents);
}

/* A big value read back in pieces, at every kind of offset. */
TEST_F(basic, partial_gets)
{
	const uint64_t len = (2 << 20) + 12345;
	const uint64_t chunks[] = { 1, 255, 256, 333, 4096, 65536 + 7 };
	struct vmemcache_stats st0, st1;
	uint8_t *buf = malloc(len);
	uint64_t gets = 0;
	unsigned int c;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "big", 3, len, 77, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st0));
	for (c = 0; c < ARRAY_SIZE(chunks); c++) {
		uint64_t off, step = chunks[c], copied, size;

		/* small chunks only near the start, the ends of extents and
		 * the end of the value, to keep the test fast */
		for (off = 0; off < len; off += step) {
			if (step < 4096 && off > 3 * 4096 &&
			    off < len - 3 * 4096) {
				off += 200 * 1024 - step;	/* skip ahead */
				continue;
			}
			memset(buf, 0, step + 1);
			ASSERT_EQ(0, vmc_get(self->fd, "big", 3, buf, step, off,
					     &copied, &size));
			gets++;
			ASSERT_EQ(len, size);
			ASSERT_EQ(step < len - off ? step : len - off, copied);
			ASSERT_EQ(-1, vmc_check_at(buf, copied, 77, off))
				TH_LOG("chunk %llu at offset %llu",
				       (unsigned long long)step,
				       (unsigned long long)off);
		}
	}
	ASSERT_EQ(0, vmc_stats(self->fd, &st1));
	ASSERT_EQ(st0.gets + gets, st1.gets);
	ASSERT_EQ(st0.hits + gets, st1.hits);
	ASSERT_EQ(st0.misses, st1.misses);
	free(buf);
}

/*
 * With policy none and a full pool of one-extent values, evicting every
 * other one leaves only scattered single free extents: a value as big as
 * all of them together must fit, split over them, and read back intact.
 */
TEST_F(basic, split_over_holes)
{
	const uint32_t ext = 4096;
	struct vmemcache_stats st0, st;
	uint64_t n, i, big;
	char key[32];
	uint32_t klen;

	VMC_CONFIG(1 << 20, ext, "none");
	ASSERT_EQ(0, vmc_stats(self->fd, &st0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	n = st.pool_size / ext;
	ASSERT_EQ(256u, n);
	for (i = 0; i < n; i++) {
		klen = vmc_key(key, sizeof(key), "hole", i);
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, ext - i % 7,
					     i, 0));
	}
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(st.pool_size, st.pool_used);
	ASSERT_EQ(0u, st.free_extents);
	ASSERT_EQ(-ENOSPC, vmc_put(self->fd, "x", 1, "x", 1, 0));

	for (i = 0; i < n; i += 2) {
		klen = vmc_key(key, sizeof(key), "hole", i);
		ASSERT_EQ(0, vmc_evict(self->fd, key, klen));
	}
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(st.pool_size / 2, st.pool_used);
	ASSERT_LE(1u, st.free_extents);
	ASSERT_GE(n / 2, st.free_extents);

	big = (n / 2) * ext - 100;	/* needs every free extent */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "big", 3, big, 999, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(st.pool_size, st.pool_used);
	ASSERT_EQ(0u, st.free_extents);
	ASSERT_EQ(n / 2 + 1, st.entries);
	ASSERT_EQ(n / 2, st.evictions - st0.evictions);
	VMC_ASSERT_VALUE(self->fd, "big", 3, big, 999);
	for (i = 1; i < n; i += 2) {
		klen = vmc_key(key, sizeof(key), "hole", i);
		VMC_ASSERT_VALUE(self->fd, key, klen, ext - i % 7, i);
	}

	/* everything freed coalesces back into one free extent */
	ASSERT_EQ(0, vmc_evict(self->fd, "big", 3));
	for (i = 1; i < n; i += 2) {
		klen = vmc_key(key, sizeof(key), "hole", i);
		ASSERT_EQ(0, vmc_evict(self->fd, key, klen));
	}
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(0u, st.pool_used);
	ASSERT_EQ(0u, st.entries);
	ASSERT_EQ(1u, st.free_extents);
}

/* One value as big as the whole pool. */
TEST_F(basic, value_fills_pool)
{
	struct vmemcache_stats st;
	uint64_t pool;

	VMC_CONFIG(1 << 20, 4096, "none");
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	pool = st.pool_size;
	ASSERT_EQ(1u << 20, pool);
	ASSERT_EQ(-ENOSPC, vmc_put_pattern(self->fd, "all", 3, pool + 1, 5, 0));
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "all", 3, pool, 5, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(pool, st.pool_used);
	ASSERT_EQ(0u, st.free_extents);
	VMC_ASSERT_VALUE(self->fd, "all", 3, pool, 5);
	ASSERT_EQ(-ENOSPC, vmc_put(self->fd, "x", 1, "x", 1, 0));
	VMC_ASSERT_VALUE(self->fd, "all", 3, pool, 5);
}

TEST_F(basic, replace)
{
	struct vmemcache_stats st0, st;
	uint64_t size;

	ASSERT_EQ(0, vmc_stats(self->fd, &st0));
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k", 1, 1000, 1, 0));
	ASSERT_EQ(-EEXIST, vmc_put_pattern(self->fd, "k", 1, 2000, 2, 0));
	VMC_ASSERT_VALUE(self->fd, "k", 1, 1000, 1);

	/* bigger */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k", 1, 5000, 3,
				     VMEMCACHE_PUT_REPLACE));
	VMC_ASSERT_VALUE(self->fd, "k", 1, 5000, 3);
	ASSERT_EQ(0, vmc_exists(self->fd, "k", 1, &size));
	ASSERT_EQ(5000u, size);
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(1u, st.entries);
	ASSERT_EQ(extents(5000, VMC_DEFAULT_EXTENT), st.pool_used);
	/* smaller */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k", 1, 10, 4,
				     VMEMCACHE_PUT_REPLACE));
	VMC_ASSERT_VALUE(self->fd, "k", 1, 10, 4);
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(1u, st.entries);
	ASSERT_EQ(extents(10, VMC_DEFAULT_EXTENT), st.pool_used);
	ASSERT_EQ(1u, st.free_extents);
	/* same size */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k", 1, 10, 5,
				     VMEMCACHE_PUT_REPLACE));
	VMC_ASSERT_VALUE(self->fd, "k", 1, 10, 5);
	/* REPLACE of an absent key stores it */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "new", 3, 20, 6,
				     VMEMCACHE_PUT_REPLACE));
	VMC_ASSERT_VALUE(self->fd, "new", 3, 20, 6);

	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(5u, st.puts - st0.puts);	/* the EEXIST one did not count */
	ASSERT_EQ(2u, st.entries);
	/* a replacement is no eviction */
	ASSERT_EQ(0u, st.evictions - st0.evictions);
	ASSERT_EQ(extents(10, VMC_DEFAULT_EXTENT) +
		  extents(20, VMC_DEFAULT_EXTENT), st.pool_used);
}

/*
 * Every counter, exactly, through a scripted sequence.  The event counters
 * are compared as differences: reset empties the cache, and whether it
 * also zeroes the counters is not part of the contract.
 */
#define DELTA(st, field)	((st).field - empty.field)

TEST_F(basic, stats_accounting)
{
	static const uint64_t sizes[] = { 1, 256, 257, 1000, 70000, 4096 };
	const unsigned int n = ARRAY_SIZE(sizes);
	struct vmemcache_stats st, empty;
	uint64_t used = 0, gets = 0, hits = 0, misses = 0, size, copied;
	unsigned int i;
	char key[32], buf[64];
	uint32_t klen;

	ASSERT_EQ(0, vmc_stats(self->fd, &empty));
	ASSERT_EQ(0u, empty.entries);
	ASSERT_EQ(0u, empty.pool_used);
	ASSERT_EQ(1u, empty.free_extents);
	ASSERT_EQ(VMC_DEFAULT_CAPACITY, empty.pool_size);
	ASSERT_EQ(VMC_DEFAULT_EXTENT, empty.extent_size);

	for (i = 0; i < n; i++) {
		klen = vmc_key(key, sizeof(key), "st", i);
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, sizes[i], i, 0));
		used += extents(sizes[i], VMC_DEFAULT_EXTENT);
	}
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(n, DELTA(st, puts));
	ASSERT_EQ(n, st.entries);
	ASSERT_EQ(used, st.pool_used);
	ASSERT_LT(empty.dram_used, st.dram_used);
	ASSERT_EQ(0u, DELTA(st, gets));

	/* hits: whole, partial, size probes, past the end */
	for (i = 0; i < n; i++) {
		klen = vmc_key(key, sizeof(key), "st", i);
		ASSERT_EQ(0, vmc_get(self->fd, key, klen, buf, sizeof(buf), 0,
				     &copied, &size));
		ASSERT_EQ(0, vmc_get(self->fd, key, klen, NULL, 0, 0, &copied,
				     &size));
		ASSERT_EQ(0, vmc_get(self->fd, key, klen, buf, 1, sizes[i],
				     &copied, &size));
		gets += 3;
		hits += 3;
	}
	/* misses */
	for (i = 0; i < 5; i++) {
		klen = vmc_key(key, sizeof(key), "absent", i);
		ASSERT_EQ(-ENOENT, vmc_get(self->fd, key, klen, buf,
					   sizeof(buf), 0, NULL, NULL));
		gets++;
		misses++;
	}
	/* exists counts nothing; neither do rejected gets */
	for (i = 0; i < n; i++) {
		klen = vmc_key(key, sizeof(key), "st", i);
		ASSERT_EQ(0, vmc_exists(self->fd, key, klen, NULL));
	}
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "absent", 6, NULL));
	ASSERT_EQ(-EINVAL, vmc_get(self->fd, "x", 0, buf, sizeof(buf), 0,
				   NULL, NULL));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(gets, DELTA(st, gets));
	ASSERT_EQ(hits, DELTA(st, hits));
	ASSERT_EQ(misses, DELTA(st, misses));
	ASSERT_EQ(n, DELTA(st, puts));

	/* explicit evictions, one per key, and failed ones not counted */
	for (i = 0; i < n; i++) {
		klen = vmc_key(key, sizeof(key), "st", i);
		ASSERT_EQ(0, vmc_evict(self->fd, key, klen));
		ASSERT_EQ(-ENOENT, vmc_evict(self->fd, key, klen));
		used -= extents(sizes[i], VMC_DEFAULT_EXTENT);
		ASSERT_EQ(0, vmc_stats(self->fd, &st));
		ASSERT_EQ(i + 1, DELTA(st, evictions));
		ASSERT_EQ(n - i - 1, st.entries);
		ASSERT_EQ(used, st.pool_used);
	}
	ASSERT_EQ(-ESRCH, vmc_evict_lru(self->fd));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(n, DELTA(st, evictions));
	ASSERT_EQ(n, DELTA(st, puts));
	ASSERT_EQ(gets, DELTA(st, gets));
	ASSERT_EQ(0u, st.entries);
	ASSERT_EQ(0u, st.pool_used);
	ASSERT_EQ(1u, st.free_extents);
	/* nothing left behind by the entries */
	ASSERT_EQ(empty.dram_used, st.dram_used);
}

#undef DELTA

/* Two descriptors (and so two processes) share one cache. */
TEST_F(basic, shared_between_opens)
{
	int fd2 = vmc_open();
	pid_t pid;
	int status;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "shared", 6, 100, 8, 0));
	VMC_ASSERT_VALUE(fd2, "shared", 6, 100, 8);
	ASSERT_EQ(0, vmc_evict(fd2, "shared", 6));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "shared", 6, NULL));
	close(fd2);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = vmc_open();

		_exit(fd < 0 || vmc_put_pattern(fd, "child", 5, 200, 9, 0));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	VMC_ASSERT_VALUE(self->fd, "child", 5, 200, 9);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * libvmemcache-kdev against the real module: the libvmemcache 0.8 calls a
 * program makes (the README's example among them) with their return values
 * and errno, the statistics, and the on_miss/on_evict callbacks.
 */
#include "vmc_test.h"

#include <libvmemcache.h>

FIXTURE(lib) {
	VMEMcache *cache;
};

FIXTURE_SETUP(lib)
{
	ASSERT_EQ(0, vmc_restore_defaults());
	self->cache = vmemcache_new();
	ASSERT_NE(NULL, self->cache);
	ASSERT_EQ(0, vmemcache_add(self->cache, vmc_dev_path()))
		TH_LOG("%s", vmemcache_errormsg());
}

FIXTURE_TEARDOWN(lib)
{
	vmemcache_delete(self->cache);
	EXPECT_EQ(0, vmc_restore_defaults());
}

/* The README's example, step by step. */
TEST_F(lib, readme_example)
{
	const char *key = "foo";
	char buf[128];
	ssize_t len;

	ASSERT_EQ(0, vmemcache_put(self->cache, key, strlen(key), "bar",
				   sizeof("bar")));
	len = vmemcache_get(self->cache, key, strlen(key), buf, sizeof(buf), 0,
			    NULL);
	ASSERT_EQ((ssize_t)sizeof("bar"), len);
	ASSERT_STREQ("bar", buf);
}

TEST_F(lib, errors_and_sizes)
{
	char buf[8];
	size_t vsize = 0;

	ASSERT_EQ(0, vmemcache_put(self->cache, "k", 1, "0123456789", 10));
	ASSERT_EQ(-1, vmemcache_put(self->cache, "k", 1, "x", 1));
	ASSERT_EQ(EEXIST, errno);
	ASSERT_NE(0U, strlen(vmemcache_errormsg()));

	/* A short buffer gets the first bytes and learns the whole size. */
	ASSERT_EQ(8, vmemcache_get(self->cache, "k", 1, buf, sizeof(buf), 0,
				   &vsize));
	ASSERT_EQ(10U, vsize);
	ASSERT_EQ(0, memcmp(buf, "01234567", 8));
	ASSERT_EQ(2, vmemcache_get(self->cache, "k", 1, buf, sizeof(buf), 8,
				   &vsize));
	ASSERT_EQ(0, memcmp(buf, "89", 2));

	ASSERT_EQ(1, vmemcache_exists(self->cache, "k", 1, &vsize));
	ASSERT_EQ(10U, vsize);
	ASSERT_EQ(0, vmemcache_exists(self->cache, "nope", 4, &vsize));

	ASSERT_EQ(-1, vmemcache_get(self->cache, "nope", 4, buf, sizeof(buf),
				    0, NULL));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, vmemcache_evict(self->cache, "k", 1));
	ASSERT_EQ(-1, vmemcache_evict(self->cache, "k", 1));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, vmemcache_evict(self->cache, NULL, 0));
	ASSERT_EQ(ESRCH, errno);

	/* The configuration of an attached cache is fixed. */
	ASSERT_EQ(-1, vmemcache_set_size(self->cache, 2 << 20));
	ASSERT_EQ(EALREADY, errno);
}

TEST_F(lib, replace_flag)
{
	char buf[4];

	ASSERT_EQ(0, vmemcache_put(self->cache, "r", 1, "old", 3));
	ASSERT_EQ(0, vmemcache_put_flags(self->cache, "r", 1, "new", 3,
					 VMEMCACHE_PUT_REPLACE));
	ASSERT_EQ(3, vmemcache_get(self->cache, "r", 1, buf, 3, 0, NULL));
	ASSERT_EQ(0, memcmp(buf, "new", 3));
}

TEST_F(lib, statistics)
{
	size_t puts, gets, hits, misses, evicts, entries, pool, dram, heap;
	char buf[300] = { 0 };

	ASSERT_EQ(0, vmemcache_put(self->cache, "a", 1, buf, 300));
	ASSERT_EQ(300, vmemcache_get(self->cache, "a", 1, buf, 300, 0, NULL));
	ASSERT_EQ(-1, vmemcache_get(self->cache, "b", 1, buf, 300, 0, NULL));

#define STAT(s, v) ASSERT_EQ(0, vmemcache_get_stat(self->cache, s, &v, sizeof(v)))
	STAT(VMEMCACHE_STAT_PUT, puts);
	STAT(VMEMCACHE_STAT_GET, gets);
	STAT(VMEMCACHE_STAT_HIT, hits);
	STAT(VMEMCACHE_STAT_MISS, misses);
	STAT(VMEMCACHE_STAT_EVICT, evicts);
	STAT(VMEMCACHE_STAT_ENTRIES, entries);
	STAT(VMEMCACHE_STAT_POOL_SIZE_USED, pool);
	STAT(VMEMCACHE_STAT_DRAM_SIZE_USED, dram);
	STAT(VMEMCACHE_STAT_HEAP_ENTRIES, heap);
#undef STAT
	/* Counters are not zeroed by a reset: compare what we did. */
	ASSERT_LE(1U, puts);
	ASSERT_EQ(gets, hits + misses);
	ASSERT_LE(1U, misses);
	ASSERT_EQ(1U, entries);
	ASSERT_EQ(2 * 256U, pool);
	ASSERT_LT(0U, dram);
	ASSERT_EQ(1U, heap);
	ASSERT_EQ(-1, vmemcache_get_stat(self->cache, VMEMCACHE_STAT_PUT,
					 &puts, 4));
	ASSERT_EQ(EINVAL, errno);
	(void)evicts;
}

static void fill_on_miss(VMEMcache *cache, const void *key, size_t ksize,
			 void *arg)
{
	(*(int *)arg)++;
	vmemcache_put(cache, key, ksize, "filled", 6);
}

static void count_evict(VMEMcache *cache, const void *key, size_t ksize,
			void *arg)
{
	(*(int *)arg)++;
}

TEST_F(lib, callbacks)
{
	int misses = 0, evicts = 0;
	char buf[8];

	vmemcache_callback_on_miss(self->cache, fill_on_miss, &misses);
	vmemcache_callback_on_evict(self->cache, count_evict, &evicts);
	ASSERT_EQ(6, vmemcache_get(self->cache, "m", 1, buf, sizeof(buf), 0,
				   NULL));
	ASSERT_EQ(1, misses);
	ASSERT_EQ(0, memcmp(buf, "filled", 6));
	ASSERT_EQ(6, vmemcache_get(self->cache, "m", 1, buf, sizeof(buf), 0,
				   NULL));
	ASSERT_EQ(1, misses);
	ASSERT_EQ(0, vmemcache_evict(self->cache, "m", 1));
	ASSERT_EQ(1, evicts);
}

TEST(add_errors)
{
	VMEMcache *cache = vmemcache_new();

	ASSERT_NE(NULL, cache);
	ASSERT_EQ(-1, vmemcache_add(cache, "/nonexistent/vmemcache"));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, vmemcache_add(cache, "/dev/null"));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(0, vmemcache_add(cache, vmc_dev_path()));
	ASSERT_EQ(-1, vmemcache_add(cache, vmc_dev_path()));
	ASSERT_EQ(EALREADY, errno);
	vmemcache_delete(cache);
}

TEST_HARNESS_MAIN

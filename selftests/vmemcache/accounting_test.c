// SPDX-License-Identifier: GPL-2.0
/*
 * What the cache reports about itself is true: the entry count never goes
 * below zero while puts and evicts race, a failed batch get reports no
 * bytes copied, and the DRAM that keys and entries pin is counted as
 * allocated and bounded by dram_limit.
 */
#include "vmc_test.h"

#include <pthread.h>

VMC_FIXTURE(accounting)

/* A batch get that fails reports 0 bytes copied, not what it meant to. */
TEST_F(accounting, batch_failed_get_copies_nothing)
{
	struct vmemcache_batch_item it = {};
	struct vmemcache_batch b = {};
	char val[100];

	memset(val, 'v', sizeof(val));
	ASSERT_EQ(0, vmc_put(self->fd, "k", 1, val, sizeof(val), 0));
	it.op = VMEMCACHE_BATCH_GET;
	it.key = vmc_ptr("k");
	it.key_len = 1;
	it.buf = vmc_ptr(vmc_unmapped());
	it.len = sizeof(val);
	it.copied = 12345;
	b.items = vmc_ptr(&it);
	b.count = 1;
	ASSERT_EQ(0, vmc_ioctl(self->fd, VMEMCACHE_IOC_BATCH, &b));
	ASSERT_EQ(-EFAULT, it.result);
	ASSERT_EQ(0ULL, it.copied);
}

struct race {
	int fd;
	volatile bool stop;
	unsigned long ops;
};

static void *race_put(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		vmc_put(r->fd, "race", 4, "x", 1, 0);
		r->ops++;
	}
	return NULL;
}

static void *race_evict(void *arg)
{
	struct race *r = arg;

	while (!r->stop)
		vmc_evict(r->fd, "race", 4);
	return NULL;
}

/*
 * An evict that finds an entry the moment a put links it must not take the
 * count below zero (it was counted after it became visible), which the
 * statistics show as a count near 2^64.  The count may lag by one the other
 * way: an evict uncounts its entry just after taking it out of the index,
 * where the next put may already have counted its own, so 2 is possible.
 * The window is short: a run of the unfixed module catches it only now and
 * then.
 */
TEST_F(accounting, entries_never_negative)
{
	struct race r = { .fd = self->fd };
	struct vmemcache_stats st;
	pthread_t put, evict;
	uint64_t max_seen = 0;
	struct timespec t0, t;

	ASSERT_EQ(0, pthread_create(&put, NULL, race_put, &r));
	ASSERT_EQ(0, pthread_create(&evict, NULL, race_evict, &r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		ASSERT_EQ(0, vmc_stats(self->fd, &st));
		if (st.entries > max_seen)
			max_seen = st.entries;
		if (max_seen > 2)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 3);
	r.stop = true;
	pthread_join(put, NULL);
	pthread_join(evict, NULL);
	vmc_evict(self->fd, "race", 4);
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	TH_LOG("%lu puts, largest entries seen %llu", r.ops,
	       (unsigned long long)max_seen);
	ASSERT_GE(2ULL, max_seen);
	ASSERT_EQ(0ULL, st.entries);
}

static void *race_put_many(void *arg)
{
	struct race *r = arg;
	char key[32];
	uint32_t len;

	while (!r->stop) {
		len = vmc_key(key, sizeof(key), "reset", r->ops++);
		vmc_put(r->fd, key, len, "x", 1, 0);
	}
	return NULL;
}

/*
 * A reset that cannot release the DAX device (a put linked an entry after
 * the cache was emptied) says so instead of reporting success while the
 * device stays claimed: a reset that succeeds has put the cache on DRAM.
 */
TEST_F(accounting, reset_reports_failure)
{
	struct race r = { .fd = self->fd };
	unsigned int i, failed = 0;
	char dev[256];
	pthread_t put;
	int ret;

	if (!*vmc_backing())
		SKIP(return, "needs a DAX device (VMEMCACHE_BACKING)");
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, vmc_config(VMC_DEFAULT_CAPACITY,
					VMC_DEFAULT_EXTENT, "lru"));
		ASSERT_LT(0, vmc_sysfs_read("backing_dev", dev, sizeof(dev)));
		ASSERT_NE(0, strncmp(dev, "none", 4));
		r.stop = false;
		ASSERT_EQ(0, pthread_create(&put, NULL, race_put_many, &r));
		usleep(1000);
		ret = vmc_reset();
		r.stop = true;
		pthread_join(put, NULL);
		ASSERT_LT(0, vmc_sysfs_read("backing_dev", dev, sizeof(dev)));
		if (ret) {
			ASSERT_EQ(-EBUSY, ret);
			ASSERT_NE(0, strncmp(dev, "none", 4));
			failed++;
		} else {
			ASSERT_EQ(0, strncmp(dev, "none", 4))
				TH_LOG("reset succeeded, backing_dev %s", dev);
		}
	}
	TH_LOG("%u of 20 resets raced with a put", failed);
	/* Nothing races now: the reset goes through. */
	ASSERT_EQ(0, vmc_reset());
}

TEST_HARNESS_MAIN

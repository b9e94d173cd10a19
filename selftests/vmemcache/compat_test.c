// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit program on the 64-bit kernel: built with -m32, it drives every
 * ioctl through the compat path (compat_ptr_ioctl) and checks that the
 * same structs, pointers and errors work as for a 64-bit program.
 */
#include "vmc_test.h"

VMC_FIXTURE(compat);

TEST_F(compat, is_32bit)
{
	ASSERT_EQ(4U, sizeof(void *));
}

TEST_F(compat, round_trip)
{
	struct vmemcache_version v;
	struct vmemcache_stats st;
	uint64_t copied, size;
	char buf[5000];

	ASSERT_EQ(0, vmc_version(self->fd, &v));
	ASSERT_EQ((__u32)VMEMCACHE_API_VERSION, v.api_version);
	ASSERT_EQ((__u64)VMEMCACHE_MAX_KEY_SIZE, v.max_key_size);

	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k32", 3, sizeof(buf), 32, 0));
	ASSERT_EQ(-EEXIST, vmc_put_pattern(self->fd, "k32", 3, 10, 1, 0));
	ASSERT_EQ(0, vmc_get(self->fd, "k32", 3, buf, sizeof(buf), 0, &copied,
			     &size));
	ASSERT_EQ(sizeof(buf), copied);
	ASSERT_EQ(sizeof(buf), size);
	ASSERT_EQ(-1, vmc_check(buf, sizeof(buf), 32));
	ASSERT_EQ(0, vmc_get(self->fd, "k32", 3, buf, 100, 4990, &copied,
			     &size));
	ASSERT_EQ(10U, copied);
	ASSERT_EQ(-1, vmc_check_at(buf, 10, 32, 4990));

	ASSERT_EQ(0, vmc_exists(self->fd, "k32", 3, &size));
	ASSERT_EQ(sizeof(buf), size);
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(1U, st.entries);
	ASSERT_EQ(VMC_ROUND_UP(sizeof(buf), VMC_DEFAULT_EXTENT), st.pool_used);
	ASSERT_EQ(0, vmc_evict(self->fd, "k32", 3));
	ASSERT_EQ(-ENOENT, vmc_get(self->fd, "k32", 3, buf, 1, 0, NULL, NULL));
	ASSERT_EQ(-ESRCH, vmc_evict_lru(self->fd));
}

TEST_F(compat, bad_pointers)
{
	char val = 'v';

	/* A pointer above 4 GiB can never be a 32-bit program's. */
	struct vmemcache_put p = {
		.key = 1ULL << 40, .key_len = 1,
		.value = vmc_ptr(&val), .value_len = 1,
	};

	ASSERT_EQ(-EFAULT, vmc_ioctl(self->fd, VMEMCACHE_IOC_PUT, &p));
	ASSERT_EQ(-EFAULT, vmc_ioctl(self->fd, VMEMCACHE_IOC_PUT, NULL));
	p.key = vmc_ptr("k");
	p.cas = 1;		/* without VMEMCACHE_PUT_CAS */
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_PUT, &p));
	ASSERT_EQ(-ENOTTY, vmc_ioctl(self->fd, VMC_CMD(_IOC_NONE, 0x1f, 0),
				     NULL));
}

/* The v2 commands: a private cache, its evicted log, a listing, a batch. */
TEST_F(compat, private_cache)
{
	static uint8_t val[400 << 10];
	uint64_t logbuf[64], listbuf[64];
	struct vmemcache_evicted_log *log = (void *)logbuf;
	struct vmemcache_create cr = {
		.size = 1 << 20, .extent_size = 256,
		.policy = VMEMCACHE_POLICY_LRU,
		.flags = VMEMCACHE_CREATE_CLOEXEC,
	};
	struct vmemcache_put p = {
		.key = vmc_ptr("c"), .key_len = 1,
		.value = vmc_ptr(val), .value_len = sizeof(val),
		.evicted = vmc_ptr(log), .evicted_size = sizeof(logbuf),
	};
	struct vmemcache_list ls = {
		.buf = vmc_ptr(listbuf), .buf_size = sizeof(listbuf),
	};
	struct vmemcache_batch_item it = {
		.op = VMEMCACHE_BATCH_EXISTS, .key = vmc_ptr("c"), .key_len = 1,
	};
	struct vmemcache_batch b = { .items = vmc_ptr(&it), .count = 1 };
	uint8_t ev;
	int fd;

	ASSERT_EQ(56U, sizeof(struct vmemcache_create));
	ASSERT_EQ(80U, sizeof(struct vmemcache_list));
	ASSERT_EQ(56U, sizeof(struct vmemcache_batch));
	ASSERT_EQ(56U, sizeof(struct vmemcache_batch_item));
	fd = ioctl(self->fd, VMEMCACHE_IOC_CREATE, &cr);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, vmc_put(fd, "a", 1, val, sizeof(val), 0));
	ASSERT_EQ(0, vmc_put(fd, "b", 1, val, sizeof(val), 0));
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p));
	ASSERT_EQ(1U, log->count);
	/*
	 * The older of the two, as the policy knows it: the buffered LRU
	 * orders entries inserted on different CPUs by when their rings
	 * drain, so a process that moved between the puts may see "b" go.
	 */
	ev = *((uint8_t *)(log + 1) + 16);
	ASSERT_TRUE(ev == 'a' || ev == 'b') TH_LOG("evicted key %c", ev);
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_LIST, &ls));
	ASSERT_EQ(2U, ls.count);
	ASSERT_EQ(0U, ls.cursor);
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_BATCH, &b));
	ASSERT_EQ(0, it.result);
	ASSERT_EQ(sizeof(val), it.value_size);
	close(fd);
}

TEST_HARNESS_MAIN

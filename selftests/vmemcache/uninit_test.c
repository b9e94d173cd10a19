// SPDX-License-Identifier: GPL-2.0
/*
 * Uninitialised bytes: every struct the kernel writes back is filled with
 * a poison pattern first, then every byte of it is compared with what the
 * ABI says the kernel writes: the defined fields, zero in padding and
 * reserved words, zero in the part of a struct larger than the kernel's
 * (the usize > ksize case of the copy_struct_from_user() convention), and
 * nothing at all past the size in the command.  Input fields of in/out
 * structs must come back unchanged, output buffers of a get must not be
 * written past what was copied, and an input-only struct must be readable
 * from read-only memory (the kernel never writes it).
 */
#include "vmc_test.h"

#define POISON_A	0xa5
#define POISON_B	0x5a
#define SLACK		64	/* poisoned bytes past the command's size */
#define VLEN		100U

VMC_FIXTURE(uninit)

static const uint8_t poisons[] = { POISON_A, POISON_B };

/* Sizes to issue an out struct of ksize bytes with: ours, then larger. */
static const unsigned int extra[] = { 0, 8, 136, 1024, 16383 };

/* Size of the caller's struct; 16383 (the largest _IOC_SIZE) as is. */
static unsigned int user_size(unsigned int ksize, unsigned int i)
{
	return extra[i] == 16383 ? 16383 : ksize + extra[i];
}

/* Index of the first byte of p[from, to) that is not b, or -1. */
static long first_not(const uint8_t *p, size_t from, size_t to, uint8_t b)
{
	size_t i;

	for (i = from; i < to; i++)
		if (p[i] != b)
			return (long)i;
	return -1;
}

/*
 * The larger part of a caller's struct comes back zero, and nothing past
 * its size is written.
 */
static void assert_tail(struct __test_metadata *_metadata, const uint8_t *buf,
			unsigned int ksize, unsigned int usize, uint8_t poison)
{
	ASSERT_EQ(-1, first_not(buf, ksize, usize, 0))
		TH_LOG("byte past the kernel's %u of a %u-byte struct not zeroed",
		       ksize, usize);
	ASSERT_EQ(-1, first_not(buf, usize, usize + SLACK, poison))
		TH_LOG("written past the %u bytes of the command", usize);
}

TEST_F(uninit, version)
{
	struct vmemcache_version ref = { 0 }, *v;
	unsigned int i, p, usize;
	uint8_t *buf;

	ASSERT_EQ(0, vmc_version(self->fd, &ref));
	ASSERT_EQ((__u32)VMEMCACHE_API_VERSION, ref.api_version);
	ASSERT_EQ(0u, ref.features & ~(VMEMCACHE_FEAT_PUT_REPLACE |
				       VMEMCACHE_FEAT_EVICT_LRU |
				       VMEMCACHE_FEAT_LOCK_STATS |
				       VMEMCACHE_FEAT_PRIVATE |
				       VMEMCACHE_FEAT_EVICTED_LOG |
				       VMEMCACHE_FEAT_EVICT_PREFIX |
				       VMEMCACHE_FEAT_LIST |
				       VMEMCACHE_FEAT_BATCH |
				       VMEMCACHE_FEAT_EVICTED_VALUES |
				       VMEMCACHE_FEAT_CREATE_FILE |
				       VMEMCACHE_FEAT_ITEM_META |
				       VMEMCACHE_FEAT_NUMA_NODE |
				       VMEMCACHE_FEAT_TIERS |
				       VMEMCACHE_FEAT_ITEM_STATE |
				       VMEMCACHE_FEAT_MAPPED_GET));
	buf = malloc(16383 + SLACK);
	ASSERT_NE(NULL, buf);
	for (p = 0; p < sizeof(poisons); p++) {
		for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			usize = user_size(sizeof(*v), i);
			memset(buf, poisons[p], usize + SLACK);
			ASSERT_EQ(0, vmc_ioctl(self->fd,
					       VMC_CMD(_IOC_READ, 0, usize), buf));
			v = (struct vmemcache_version *)buf;
			EXPECT_EQ((__u32)VMEMCACHE_API_VERSION, v->api_version);
			EXPECT_EQ(0u, v->pad);
			EXPECT_EQ(ref.features, v->features);
			EXPECT_EQ((uint64_t)VMEMCACHE_MAX_KEY_SIZE,
				  v->max_key_size);
			ASSERT_EQ(-1, first_not(buf,
						offsetof(struct vmemcache_version, reserved),
						sizeof(*v), 0))
				TH_LOG("reserved not zeroed (size %u)", usize);
			assert_tail(_metadata, buf, sizeof(*v), usize,
				    poisons[p]);
		}
	}
	free(buf);
}

/* Counters that no stats call changes on an idle cache must be equal. */
static void assert_stats(struct __test_metadata *_metadata,
			 const struct vmemcache_stats *s,
			 const struct vmemcache_stats *after)
{
	EXPECT_EQ(after->puts, s->puts);
	EXPECT_EQ(after->gets, s->gets);
	EXPECT_EQ(after->hits, s->hits);
	EXPECT_EQ(after->misses, s->misses);
	EXPECT_EQ(after->evictions, s->evictions);
	EXPECT_EQ(after->entries, s->entries);
	EXPECT_EQ(after->pool_used, s->pool_used);
	EXPECT_EQ(after->dram_used, s->dram_used);
	EXPECT_EQ(after->free_extents, s->free_extents);
	EXPECT_EQ(after->pool_size, s->pool_size);
	EXPECT_EQ(after->extent_size, s->extent_size);
	/* stats itself may take the locks: these only grow */
	EXPECT_LE(s->lru_lock_acquired, after->lru_lock_acquired);
	EXPECT_LE(s->lru_lock_contended, after->lru_lock_contended);
	EXPECT_LE(s->alloc_lock_acquired, after->alloc_lock_acquired);
	EXPECT_LE(s->alloc_lock_contended, after->alloc_lock_contended);
	EXPECT_LE(s->lru_lock_contended, s->lru_lock_acquired);
	EXPECT_LE(s->alloc_lock_contended, s->alloc_lock_acquired);
	/* Nothing failed: the pool is healthy in this test. */
	EXPECT_EQ(0ULL, s->poisoned);
}

TEST_F(uninit, stats)
{
	struct vmemcache_stats st0, after, *s;
	unsigned int i, p, usize;
	uint8_t *buf;

	ASSERT_EQ(0, vmc_stats(self->fd, &st0));
	/* something in every counter */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k", 1, VLEN, 1, 0));
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "l", 1, 10 * VLEN, 2, 0));
	ASSERT_EQ(0, vmc_get_check(self->fd, "k", 1, VLEN, 1));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "m", 1, NULL));
	ASSERT_EQ(-ENOENT, vmc_get(self->fd, "m", 1, NULL, 0, 0, NULL, NULL));
	ASSERT_EQ(0, vmc_evict(self->fd, "l", 1));

	buf = malloc(16383 + SLACK);
	ASSERT_NE(NULL, buf);
	for (p = 0; p < sizeof(poisons); p++) {
		for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			usize = user_size(sizeof(*s), i);
			memset(buf, poisons[p], usize + SLACK);
			ASSERT_EQ(0, vmc_ioctl(self->fd,
					       VMC_CMD(_IOC_READ, 5, usize), buf));
			ASSERT_EQ(0, vmc_stats(self->fd, &after));
			s = (struct vmemcache_stats *)buf;
			assert_stats(_metadata, s, &after);
			EXPECT_EQ(1u, s->entries);
			EXPECT_EQ(2u, s->puts - st0.puts);
			EXPECT_EQ(1u, s->hits - st0.hits);
			EXPECT_EQ(1u, s->misses - st0.misses);
			EXPECT_EQ(1u, s->evictions - st0.evictions);
			EXPECT_EQ(VMC_ROUND_UP(VLEN, VMC_DEFAULT_EXTENT),
				  s->pool_used);
			assert_tail(_metadata, buf, sizeof(*s), usize,
				    poisons[p]);
		}
	}
	free(buf);
}

TEST_F(uninit, map_info)
{
	struct vmemcache_create cr = {
		.size = 1 << 20, .extent_size = 256,
		.policy = VMEMCACHE_POLICY_LRU,
		.flags = VMEMCACHE_CREATE_CLOEXEC | VMEMCACHE_CREATE_MAPPED,
	};
	struct vmemcache_map_info ref, *m;
	unsigned int i, p, usize;
	uint8_t *buf;
	int fd;

	fd = ioctl(self->fd, VMEMCACHE_IOC_CREATE, &cr);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_MAP_INFO, &ref));
	buf = malloc(16383 + SLACK);
	ASSERT_NE(NULL, buf);
	for (p = 0; p < sizeof(poisons); p++) {
		for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			usize = user_size(sizeof(*m), i);
			memset(buf, poisons[p], usize + SLACK);
			ASSERT_EQ(0, vmc_ioctl(fd, VMC_CMD(_IOC_READ, 0x0b,
							   usize), buf));
			m = (struct vmemcache_map_info *)buf;
			EXPECT_EQ(0, memcmp(m, &ref, sizeof(ref)));
			EXPECT_EQ(0u, m->reserved[0] | m->reserved[1] |
				      m->reserved[2] | m->reserved[3]);
			assert_tail(_metadata, buf, sizeof(*m), usize,
				    poisons[p]);
		}
	}
	free(buf);
	close(fd);
}

/* A get of (offset, buf_len) with poisoned output fields and buffer. */
static void poisoned_get(struct __test_metadata *_metadata, int fd,
			 unsigned int usize, uint8_t poison, uint64_t offset,
			 uint64_t buf_len)
{
	uint8_t *arg = malloc(usize + SLACK), *out = malloc(2 * VLEN + SLACK);
	uint64_t want = offset < VLEN ?
			(buf_len < VLEN - offset ? buf_len : VLEN - offset) : 0;
	struct vmemcache_get in = {
		.key = vmc_ptr("k"),
		.key_len = 1,
		.buf = vmc_ptr(out),
		.buf_len = buf_len,
		.offset = offset,
	};
	struct vmemcache_get *g = (struct vmemcache_get *)arg;

	ASSERT_NE(NULL, arg);
	ASSERT_NE(NULL, out);
	/* in: the fields, zero reserved and tail; out fields poisoned */
	memset(arg, poison, usize + SLACK);
	memset(arg, 0, usize);
	memcpy(arg, &in, sizeof(in));
	memset(&g->copied, poison, sizeof(g->copied));
	memset(&g->value_size, poison, sizeof(g->value_size));
	memset(out, poison, 2 * VLEN + SLACK);

	ASSERT_EQ(0, vmc_ioctl(fd, VMC_CMD(_IOC_READ | _IOC_WRITE, 2, usize),
			       arg));
	EXPECT_EQ(want, g->copied);
	EXPECT_EQ((uint64_t)VLEN, g->value_size);
	/* the input comes back as it was */
	EXPECT_EQ(in.key, g->key);
	EXPECT_EQ(in.buf, g->buf);
	EXPECT_EQ(in.buf_len, g->buf_len);
	EXPECT_EQ(in.offset, g->offset);
	EXPECT_EQ(in.key_len, g->key_len);
	EXPECT_EQ(0u, g->flags);
	ASSERT_EQ(-1, first_not(arg, offsetof(struct vmemcache_get, reserved),
				sizeof(*g), 0));
	assert_tail(_metadata, arg, sizeof(*g), usize, poison);
	/* the value's bytes, and not one more */
	ASSERT_EQ(-1, vmc_check_at(out, want, 1, offset));
	ASSERT_EQ(-1, first_not(out, want, 2 * VLEN + SLACK, poison))
		TH_LOG("get wrote past the %llu bytes it copied",
		       (unsigned long long)want);
	free(arg);
	free(out);
}

TEST_F(uninit, get)
{
	unsigned int i, p;

	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k", 1, VLEN, 1, 0));
	for (p = 0; p < sizeof(poisons); p++) {
		for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			unsigned int usize = user_size(sizeof(struct vmemcache_get), i);

			poisoned_get(_metadata, self->fd, usize, poisons[p], 0,
				     2 * VLEN);
			poisoned_get(_metadata, self->fd, usize, poisons[p], 30,
				     50);
			poisoned_get(_metadata, self->fd, usize, poisons[p],
				     VLEN, 2 * VLEN);
			poisoned_get(_metadata, self->fd, usize, poisons[p], 0,
				     0);
		}
	}
}

TEST_F(uninit, exists)
{
	struct vmemcache_exists in = { .key = vmc_ptr("k"), .key_len = 1 };
	struct vmemcache_exists *x;
	unsigned int i, p, usize;
	uint8_t *buf;

	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k", 1, VLEN, 1, 0));
	buf = malloc(16383 + SLACK);
	ASSERT_NE(NULL, buf);
	for (p = 0; p < sizeof(poisons); p++) {
		for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			usize = user_size(sizeof(*x), i);
			memset(buf, poisons[p], usize + SLACK);
			memset(buf, 0, usize);
			memcpy(buf, &in, sizeof(in));
			x = (struct vmemcache_exists *)buf;
			memset(&x->value_size, poisons[p],
			       sizeof(x->value_size));
			ASSERT_EQ(0, vmc_ioctl(self->fd,
					       VMC_CMD(_IOC_READ | _IOC_WRITE, 3, usize),
					       buf));
			EXPECT_EQ((uint64_t)VLEN, x->value_size);
			EXPECT_EQ(in.key, x->key);
			EXPECT_EQ(1u, x->key_len);
			EXPECT_EQ(0u, x->flags);
			ASSERT_EQ(-1, first_not(buf,
						offsetof(struct vmemcache_exists, reserved),
						sizeof(*x), 0));
			assert_tail(_metadata, buf, sizeof(*x), usize,
				    poisons[p]);
		}
	}
	free(buf);
}

/* Input-only structs work from read-only memory: nothing writes them. */
TEST_F(uninit, in_structs_read_only)
{
	struct vmemcache_put put = {
		.key = vmc_ptr("ro"), .key_len = 2,
		.value = vmc_ptr("value"), .value_len = 5,
	};
	struct vmemcache_evict ev = { .key = vmc_ptr("ro"), .key_len = 2 };
	uint8_t *ro = vmc_map(2, PROT_READ | PROT_WRITE);
	uint8_t *ro_ev = ro + VMC_PAGE;

	ASSERT_NE(NULL, ro);
	/* structs larger than the kernel's, with zero tails */
	memcpy(ro, &put, sizeof(put));
	memcpy(ro_ev, &ev, sizeof(ev));
	ASSERT_EQ(0, mprotect(ro, 2 * VMC_PAGE, PROT_READ));
	ASSERT_EQ(0, vmc_ioctl(self->fd, VMEMCACHE_IOC_PUT, ro));
	ASSERT_EQ(-EEXIST, vmc_ioctl(self->fd,
				     VMC_CMD(_IOC_WRITE, 1, sizeof(put) + 64),
				     ro));
	ASSERT_EQ(0, vmc_ioctl(self->fd, VMEMCACHE_IOC_EVICT, ro_ev));
	ASSERT_EQ(0, vmc_ioctl(self->fd,
			       VMC_CMD(_IOC_WRITE, 1, sizeof(put) + 64), ro));
	ASSERT_EQ(0, vmc_ioctl(self->fd,
			       VMC_CMD(_IOC_WRITE, 4, sizeof(ev) + 64),
			       ro_ev));
	ASSERT_EQ(-ENOENT, vmc_ioctl(self->fd, VMEMCACHE_IOC_EVICT, ro_ev));
	munmap(ro, 2 * VMC_PAGE);
}

TEST_HARNESS_MAIN

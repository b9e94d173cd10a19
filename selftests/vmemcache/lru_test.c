// SPDX-License-Identifier: GPL-2.0
/*
 * Replacement: with policy lru a put that does not fit evicts exactly the
 * least recently used entries, in order, skipping entries being read; a
 * hit refreshes an entry and exists does not; evict with key_len 0 takes
 * the oldest.  With policy none a full cache refuses puts.
 *
 * The cache is 1 MiB of 4 KiB extents and most values are 64 KiB, so
 * exactly 16 fit.
 */
#include "vmc_test.h"

#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>

#define CAP	(1ULL << 20)
#define EXT	4096U
#define VLEN	(64ULL << 10)
#define SLOTS	16U
#define MAXID	256U

VMC_FIXTURE(lru)
VMC_LRU_VARIANTS(lru);

/*
 * What the cache should hold: ids from least to most recently used.  All
 * values are VLEN bytes with the pattern of their id.
 */
struct model {
	unsigned int ids[MAXID];
	unsigned int n;
	uint64_t evictions;
	struct vmemcache_stats base;	/* counters before the test */
};

static uint32_t key_of(char *buf, size_t size, unsigned int id)
{
	return vmc_key(buf, size, "lru", id);
}

static int model_find(const struct model *m, unsigned int id)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (m->ids[i] == id)
			return (int)i;
	return -1;
}

static void model_remove(struct model *m, unsigned int id)
{
	int i = model_find(m, id);

	if (i >= 0) {
		memmove(&m->ids[i], &m->ids[i + 1],
			(m->n - i - 1) * sizeof(m->ids[0]));
		m->n--;
	}
}

static void model_touch(struct model *m, unsigned int id)
{
	model_remove(m, id);
	m->ids[m->n++] = id;
}

/* A put of a new VLEN value: the oldest goes if the cache is full. */
static void model_put(struct model *m, unsigned int id)
{
	if (m->n == SLOTS) {
		model_remove(m, m->ids[0]);
		m->evictions++;
	}
	m->ids[m->n++] = id;
}

static int put_id(int fd, unsigned int id)
{
	char key[32];

	return vmc_put_pattern(fd, key, key_of(key, sizeof(key), id), VLEN,
			       id, 0);
}

static int get_id(int fd, unsigned int id)
{
	char key[32];

	return vmc_get_check(fd, key, key_of(key, sizeof(key), id), VLEN, id);
}

static int exists_id(int fd, unsigned int id)
{
	char key[32];

	return vmc_exists(fd, key, key_of(key, sizeof(key), id), NULL);
}

/* Compare the cache with the model, for ids below `upto` (with exists). */
/* Put ids [from, to) in the cache and the model, in that order. */
#define PUT_IDS(m, from, to) do {					\
	unsigned int id_;						\
									\
	for (id_ = (from); id_ < (to); id_++) {				\
		ASSERT_EQ(0, put_id(self->fd, id_));			\
		model_put(m, id_);					\
	}								\
} while (0)

#define ASSERT_MODEL(m, upto) do {					\
	struct vmemcache_stats __st;					\
	unsigned int __id;						\
	for (__id = 0; __id < (upto); __id++) {			\
		ASSERT_EQ(model_find(m, __id) >= 0 ? 0 : -ENOENT,	\
			  exists_id(self->fd, __id))			\
			TH_LOG("id %u", __id);				\
	}								\
	ASSERT_EQ(0, vmc_stats(self->fd, &__st));			\
	ASSERT_EQ((m)->n, __st.entries);				\
	ASSERT_EQ((m)->evictions, __st.evictions - (m)->base.evictions); \
	ASSERT_EQ((m)->n * VLEN, __st.pool_used);			\
} while (0)

/*
 * Configure the small cache; base gets its counters, which tests subtract
 * (whether reset zeroes them is not part of the contract).
 */
static void setup_small(struct __test_metadata *_metadata, const char *policy,
			struct vmemcache_stats *base)
{
	int fd;

	ASSERT_EQ(0, vmc_pin_one_cpu());
	VMC_CONFIG(CAP, EXT, policy);
	fd = vmc_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_stats(fd, base));
	close(fd);
	ASSERT_EQ(CAP, base->pool_size);
	ASSERT_EQ(EXT, base->extent_size);
	ASSERT_EQ(0u, base->entries);
}

TEST_F(lru, evicts_least_recently_used_in_order)
{
	struct model m = { .n = 0 };
	unsigned int id;

	setup_small(_metadata, variant->policy, &m.base);
	PUT_IDS(&m, 0, SLOTS);
	ASSERT_MODEL(&m, SLOTS);
	/* touch 0..3, in that order, and 9 */
	for (id = 0; id < 4; id++) {
		ASSERT_EQ(0, get_id(self->fd, id));
		model_touch(&m, id);
	}
	ASSERT_EQ(0, get_id(self->fd, 9));
	model_touch(&m, 9);

	/* each new put evicts the single oldest, untouched ones first */
	for (id = SLOTS; id < SLOTS + 20; id++) {
		ASSERT_EQ(0, put_id(self->fd, id));
		model_put(&m, id);
		ASSERT_MODEL(&m, id + 1);
		if (id == SLOTS + 5) {	/* touch an old one midway */
			ASSERT_EQ(0, get_id(self->fd, 15));
			model_touch(&m, 15);
		}
	}
	/* 4..8, 10..14, then 0..3, 9, 16.. went: check the first ones */
	ASSERT_EQ(-ENOENT, exists_id(self->fd, 4));
	ASSERT_EQ(-ENOENT, exists_id(self->fd, 0));
	ASSERT_EQ(0, exists_id(self->fd, 15));
}

TEST_F(lru, exists_does_not_refresh)
{
	struct model m = { .n = 0 };
	unsigned int id, i;

	setup_small(_metadata, variant->policy, &m.base);
	PUT_IDS(&m, 0, SLOTS);
	for (i = 0; i < 3; i++) {
		for (id = 0; id < 4; id++) {
			ASSERT_EQ(0, exists_id(self->fd, id));
		}
	}
	/* misses of other keys change nothing either */
	ASSERT_EQ(-ENOENT, get_id(self->fd, 100));
	PUT_IDS(&m, SLOTS, SLOTS + 4);
	ASSERT_MODEL(&m, SLOTS + 4);
	for (id = 0; id < 4; id++) {
		ASSERT_EQ(-ENOENT, exists_id(self->fd, id));
	}
}

/* Every hit refreshes: a size probe and a read past the end too. */
TEST_F(lru, every_hit_refreshes)
{
	struct model m = { .n = 0 };
	char key[32], buf[8];
	uint32_t klen;

	setup_small(_metadata, variant->policy, &m.base);
	PUT_IDS(&m, 0, SLOTS);
	klen = key_of(key, sizeof(key), 0);
	ASSERT_EQ(0, vmc_get(self->fd, key, klen, NULL, 0, 0, NULL, NULL));
	model_touch(&m, 0);
	klen = key_of(key, sizeof(key), 1);
	ASSERT_EQ(0, vmc_get(self->fd, key, klen, buf, sizeof(buf), VLEN,
			     NULL, NULL));
	model_touch(&m, 1);
	klen = key_of(key, sizeof(key), 2);
	ASSERT_EQ(0, vmc_get(self->fd, key, klen, buf, 1, VLEN - 1, NULL,
			     NULL));
	model_touch(&m, 2);
	PUT_IDS(&m, SLOTS, SLOTS + 4);
	ASSERT_MODEL(&m, SLOTS + 4);
	ASSERT_EQ(0, exists_id(self->fd, 0));
	ASSERT_EQ(0, exists_id(self->fd, 1));
	ASSERT_EQ(0, exists_id(self->fd, 2));
}

/* A replacement is a new, most recently used value. */
TEST_F(lru, replace_refreshes)
{
	struct model m = { .n = 0 };
	char key[32];
	uint32_t klen;

	setup_small(_metadata, variant->policy, &m.base);
	/* one slot free, so the replacement needs no eviction */
	PUT_IDS(&m, 0, SLOTS - 1);
	klen = key_of(key, sizeof(key), 0);
	ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, VLEN, 0,
				     VMEMCACHE_PUT_REPLACE));
	model_touch(&m, 0);
	ASSERT_MODEL(&m, SLOTS);
	PUT_IDS(&m, SLOTS - 1, SLOTS + 2);
	ASSERT_MODEL(&m, SLOTS + 2);
	ASSERT_EQ(0, exists_id(self->fd, 0));
	ASSERT_EQ(-ENOENT, exists_id(self->fd, 1));
}

TEST_F(lru, evict_lru_takes_oldest)
{
	struct model m = { .n = 0 };
	char key[32];
	uint32_t klen;

	setup_small(_metadata, variant->policy, &m.base);
	ASSERT_EQ(-ESRCH, vmc_evict_lru(self->fd));
	PUT_IDS(&m, 0, 6);
	ASSERT_EQ(0, get_id(self->fd, 0));
	model_touch(&m, 0);
	klen = key_of(key, sizeof(key), 3);	/* an explicit one midway */
	ASSERT_EQ(0, vmc_evict(self->fd, key, klen));
	model_remove(&m, 3);
	m.evictions++;
	/* 1, 2, 4, 5, then 0 */
	while (m.n) {
		unsigned int oldest = m.ids[0];

		ASSERT_EQ(0, vmc_evict_lru(self->fd));
		model_remove(&m, oldest);
		m.evictions++;
		ASSERT_EQ(-ENOENT, exists_id(self->fd, oldest));
		ASSERT_MODEL(&m, 6);
	}
	ASSERT_EQ(-ESRCH, vmc_evict_lru(self->fd));
	ASSERT_MODEL(&m, 6);
}

/* Values of other sizes evict as many of the oldest as they need. */
TEST_F(lru, variable_sizes)
{
	struct vmemcache_stats base, st;
	unsigned int id;

	setup_small(_metadata, variant->policy, &base);
	for (id = 0; id < SLOTS; id++) {
		ASSERT_EQ(0, put_id(self->fd, id));
	}

	ASSERT_EQ(0, vmc_put_pattern(self->fd, "big", 3, 2 * VLEN, 1000, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(2u, st.evictions - base.evictions);
	ASSERT_EQ(-ENOENT, exists_id(self->fd, 0));
	ASSERT_EQ(-ENOENT, exists_id(self->fd, 1));
	ASSERT_EQ(0, exists_id(self->fd, 2));

	/* 4 KiB frees a whole 64 KiB entry, leaving 60 KiB free */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "small", 5, EXT, 1001, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(3u, st.evictions - base.evictions);
	ASSERT_EQ(-ENOENT, exists_id(self->fd, 2));
	ASSERT_EQ(CAP - (VLEN - EXT), st.pool_used);

	/* 60 KiB fits without evicting anything */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "fit", 3, VLEN - EXT, 1002, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(3u, st.evictions - base.evictions);
	ASSERT_EQ(CAP, st.pool_used);
	ASSERT_EQ(0, exists_id(self->fd, 3));
	VMC_ASSERT_VALUE(self->fd, "big", 3, 2 * VLEN, 1000);
	VMC_ASSERT_VALUE(self->fd, "small", 5, EXT, 1001);
	VMC_ASSERT_VALUE(self->fd, "fit", 3, VLEN - EXT, 1002);
	for (id = 3; id < SLOTS; id++) {
		ASSERT_EQ(0, get_id(self->fd, id));
	}
}

TEST_F(lru, too_big_evicts_nothing)
{
	struct vmemcache_stats base, st;
	unsigned int id;

	setup_small(_metadata, variant->policy, &base);
	for (id = 0; id < SLOTS; id++) {
		ASSERT_EQ(0, put_id(self->fd, id));
	}
	ASSERT_EQ(-ENOSPC, vmc_put_pattern(self->fd, "huge", 4, CAP + 1, 1, 0));
	ASSERT_EQ(-ENOSPC, vmc_put_pattern(self->fd, "huge", 4, CAP + EXT, 1, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(0u, st.evictions - base.evictions);
	ASSERT_EQ(SLOTS, st.entries);
	for (id = 0; id < SLOTS; id++) {
		ASSERT_EQ(0, get_id(self->fd, id));
	}
	/* exactly the pool's size evicts everything else */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "huge", 4, CAP, 2, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(SLOTS, st.evictions - base.evictions);
	ASSERT_EQ(1u, st.entries);
	ASSERT_EQ(CAP, st.pool_used);
	VMC_ASSERT_VALUE(self->fd, "huge", 4, CAP, 2);
}

TEST_F(lru, policy_none)
{
	struct vmemcache_stats base, st;
	char key[32];
	uint32_t klen;
	unsigned int id;

	setup_small(_metadata, "none", &base);
	for (id = 0; id < SLOTS; id++) {
		ASSERT_EQ(0, put_id(self->fd, id));
	}
	ASSERT_EQ(-ENOSPC, put_id(self->fd, SLOTS));
	ASSERT_EQ(-ENOSPC, vmc_put(self->fd, "x", 1, "x", 1, 0));
	ASSERT_EQ(-ENOSPC, vmc_put_pattern(self->fd, "huge", 4, CAP + 1, 1, 0));
	/* nothing for the policy to evict, though the cache is full */
	ASSERT_EQ(-ESRCH, vmc_evict_lru(self->fd));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(0u, st.evictions - base.evictions);
	ASSERT_EQ(SLOTS, st.entries);
	ASSERT_EQ(CAP, st.pool_used);
	ASSERT_EQ(SLOTS, st.puts - base.puts);
	for (id = 0; id < SLOTS; id++) {
		ASSERT_EQ(0, get_id(self->fd, id));
	}
	ASSERT_EQ(-ENOENT, exists_id(self->fd, SLOTS));

	/* an explicit eviction makes room for exactly one more */
	klen = key_of(key, sizeof(key), 5);
	ASSERT_EQ(0, vmc_evict(self->fd, key, klen));
	ASSERT_EQ(0, put_id(self->fd, SLOTS));
	ASSERT_EQ(-ENOSPC, put_id(self->fd, SLOTS + 1));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(1u, st.evictions - base.evictions);
	ASSERT_EQ(SLOTS, st.entries);
	ASSERT_EQ(0, get_id(self->fd, SLOTS));
}

/* ------------------------------------------------ entries being read */

/*
 * A reader whose get is stopped in the middle of copying the value out:
 * its buffer is registered with userfaultfd, so the kernel's copy blocks
 * on the first page until the test resolves the fault.
 */
struct stalled_get {
	int fd, uffd;
	uint8_t *buf;
	unsigned int id;
	pthread_t thread;
	int ret;
	uint64_t copied, size;
};

static void *stalled_get_fn(void *arg)
{
	struct stalled_get *s = arg;
	char key[32];
	uint32_t klen = key_of(key, sizeof(key), s->id);

	s->ret = vmc_get(s->fd, key, klen, s->buf, VLEN, 0, &s->copied,
			 &s->size);
	return NULL;
}

/*
 * Start the reader and wait until it is blocked in the copy: 0, -errno,
 * or 1 when userfaultfd is not available.
 */
static int stalled_get_start(struct stalled_get *s, int fd, unsigned int id)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct pollfd pfd;
	struct uffd_msg msg;
	int ret;

	s->fd = fd;
	s->id = id;
	s->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (s->uffd < 0)
		return 1;
	if (ioctl(s->uffd, UFFDIO_API, &api))
		return -errno;
	s->buf = vmc_map(VLEN / VMC_PAGE, PROT_READ | PROT_WRITE);
	if (!s->buf)
		return -ENOMEM;
	memset(&reg, 0, sizeof(reg));
	reg.range.start = vmc_ptr(s->buf);
	reg.range.len = VLEN;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(s->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	ret = pthread_create(&s->thread, NULL, stalled_get_fn, s);
	if (ret)
		return -ret;
	pfd.fd = s->uffd;
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, 20000);
	if (ret != 1)
		return ret < 0 ? -errno : -ETIMEDOUT;
	if (read(s->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return -EIO;
	if (msg.event != UFFD_EVENT_PAGEFAULT)
		return -EPROTO;
	return 0;
}

/* Let the reader finish (its buffer gets zero pages first), join it. */
static int stalled_get_finish(struct stalled_get *s)
{
	struct uffdio_copy copy;
	uint8_t *zero = vmc_map(VLEN / VMC_PAGE, PROT_READ | PROT_WRITE);
	int ret = 0;

	if (!zero)
		return -ENOMEM;
	memset(&copy, 0, sizeof(copy));
	copy.dst = vmc_ptr(s->buf);
	copy.src = vmc_ptr(zero);
	copy.len = VLEN;
	if (ioctl(s->uffd, UFFDIO_COPY, &copy))
		ret = -errno;
	close(s->uffd);	/* wakes the reader in any case */
	pthread_join(s->thread, NULL);
	munmap(zero, VLEN);
	return ret;
}

TEST_F_TIMEOUT(lru, entry_being_read_is_not_evicted, 90)
{
	struct stalled_get s;
	struct vmemcache_stats base, st;
	char key[32];
	uint32_t klen;
	unsigned int id;
	int ret;

	setup_small(_metadata, variant->policy, &base);
	for (id = 0; id < SLOTS; id++) {
		ASSERT_EQ(0, put_id(self->fd, id));
	}

	memset(&s, 0, sizeof(s));
	ret = stalled_get_start(&s, self->fd, 0);
	if (ret == 1)
		SKIP(return, "userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ret);

	/*
	 * The reader of 0 is stuck in its copy.  Make 0 the least recently
	 * used again (its hit made it the most recent), then ask for
	 * evictions: 0 must be skipped.  EXPECT, not ASSERT, until the
	 * reader is released.
	 */
	for (id = 1; id < SLOTS; id++) {
		EXPECT_EQ(0, get_id(self->fd, id));
	}
	EXPECT_EQ(0, vmc_evict_lru(self->fd));
	EXPECT_EQ(0, exists_id(self->fd, 0));
	EXPECT_EQ(-ENOENT, exists_id(self->fd, 1));
	EXPECT_EQ(0, put_id(self->fd, 100));	/* into 1's space */
	EXPECT_EQ(0, put_id(self->fd, 101));	/* evicts 2, not 0 */
	EXPECT_EQ(0, exists_id(self->fd, 0));
	EXPECT_EQ(-ENOENT, exists_id(self->fd, 2));
	EXPECT_EQ(0, exists_id(self->fd, 3));

	/* an explicit eviction unlinks it; the space waits for the reader */
	klen = key_of(key, sizeof(key), 0);
	EXPECT_EQ(0, vmc_evict(self->fd, key, klen));
	EXPECT_EQ(-ENOENT, exists_id(self->fd, 0));
	EXPECT_EQ(-ENOENT, vmc_get(self->fd, key, klen, NULL, 0, 0, NULL, NULL));
	EXPECT_EQ(0, vmc_stats(self->fd, &st));
	EXPECT_EQ(SLOTS - 1, st.entries);
	EXPECT_EQ(3u, st.evictions - base.evictions);
	EXPECT_EQ(CAP, st.pool_used);

	ASSERT_EQ(0, stalled_get_finish(&s));
	/* the reader got the whole value it started to read */
	ASSERT_EQ(0, s.ret);
	ASSERT_EQ(VLEN, s.copied);
	ASSERT_EQ(VLEN, s.size);
	ASSERT_EQ(-1, vmc_check(s.buf, VLEN, 0));
	/* and its entry's space is free now */
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(SLOTS - 1, st.entries);
	ASSERT_EQ(CAP - VLEN, st.pool_used);
	ASSERT_EQ(0, put_id(self->fd, 102));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(3u, st.evictions - base.evictions);
}

TEST_F_TIMEOUT(lru, replace_while_being_read, 90)
{
	struct stalled_get s;
	struct vmemcache_stats base, st;
	char key[32];
	uint32_t klen = key_of(key, sizeof(key), 0);
	unsigned int id;
	int ret;

	setup_small(_metadata, variant->policy, &base);
	for (id = 0; id < 4; id++) {
		ASSERT_EQ(0, put_id(self->fd, id));
	}

	memset(&s, 0, sizeof(s));
	ret = stalled_get_start(&s, self->fd, 0);
	if (ret == 1)
		SKIP(return, "userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ret);

	/* the new value is visible at once; the reader keeps the old */
	EXPECT_EQ(0, vmc_put_pattern(self->fd, key, klen, VLEN, 500,
				     VMEMCACHE_PUT_REPLACE));
	EXPECT_EQ(0, vmc_get_check(self->fd, key, klen, VLEN, 500));
	EXPECT_EQ(0, vmc_stats(self->fd, &st));
	EXPECT_EQ(4u, st.entries);
	EXPECT_EQ(5 * VLEN, st.pool_used);

	ASSERT_EQ(0, stalled_get_finish(&s));
	ASSERT_EQ(0, s.ret);
	ASSERT_EQ(VLEN, s.copied);
	ASSERT_EQ(-1, vmc_check(s.buf, VLEN, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(4 * VLEN, st.pool_used);
	VMC_ASSERT_VALUE(self->fd, key, klen, VLEN, 500);
}

struct async_reset {
	pthread_t thread;
	int ret;
	int done;
};

static void *async_reset_fn(void *arg)
{
	struct async_reset *r = arg;

	r->ret = vmc_reset();
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Reset while an entry is being read: the cache empties at once (the spec:
 * entries being read are unlinked, and freed when their readers finish),
 * and the reader still gets the whole value.  Until the reset is known to
 * have finished, nothing else touches the cache: a reset stuck behind the
 * reader could hold up every other call too.
 */
TEST_F_TIMEOUT(lru, reset_while_being_read, 90)
{
	struct stalled_get s;
	struct async_reset r;
	struct vmemcache_stats base, st;
	bool dax = *vmc_backing();
	unsigned int id, i;
	bool finished = false;
	int ret;

	setup_small(_metadata, variant->policy, &base);
	for (id = 0; id < 4; id++)
		ASSERT_EQ(0, put_id(self->fd, id));

	memset(&s, 0, sizeof(s));
	ret = stalled_get_start(&s, self->fd, 0);
	if (ret == 1)
		SKIP(return, "userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ret);

	memset(&r, 0, sizeof(r));
	ret = pthread_create(&r.thread, NULL, async_reset_fn, &r);
	EXPECT_EQ(0, ret);
	for (i = 0; !ret && i < (dax ? 50 : 500) && !finished; i++) {
		finished = __atomic_load_n(&r.done, __ATOMIC_ACQUIRE);
		if (!finished)
			usleep(20000);
	}
	/*
	 * On DRAM, reset empties the cache at once.  On a DAX device it also
	 * releases the device, which must wait for the get still copying
	 * out of it.
	 */
	if (dax) {
		EXPECT_FALSE(finished)
			TH_LOG("reset released the DAX device under a reader");
	} else {
		EXPECT_TRUE(finished)
			TH_LOG("reset did not finish in 10 s while an entry was being read");
	}
	if (finished && !dax) {
		EXPECT_EQ(0, r.ret);
		EXPECT_EQ(0, vmc_stats(self->fd, &st));
		EXPECT_EQ(0u, st.entries);
		/* the value being read keeps its extents until the reader is done */
		EXPECT_EQ(VLEN, st.pool_used);
		EXPECT_EQ(-ENOENT, exists_id(self->fd, 0));
		EXPECT_EQ(-ENOENT, exists_id(self->fd, 1));
	}

	ASSERT_EQ(0, stalled_get_finish(&s));
	if (!ret)
		pthread_join(r.thread, NULL);
	ASSERT_EQ(0, s.ret);
	ASSERT_EQ(VLEN, s.copied);
	ASSERT_EQ(-1, vmc_check(s.buf, VLEN, 0));
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(0u, st.entries);
	ASSERT_EQ(0u, st.pool_used);
	ASSERT_EQ(1u, st.free_extents);
	ASSERT_EQ(0, put_id(self->fd, 9));
}

TEST_HARNESS_MAIN

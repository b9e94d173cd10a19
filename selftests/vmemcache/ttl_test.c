// SPDX-License-Identifier: GPL-2.0
/*
 * What a put stores besides the value (VMEMCACHE_FEAT_ITEM_META): an
 * expiry after which the entry is a miss for get, exists and list, and
 * which a touch changes; 32 client flags returned by get; a version (CAS)
 * that every store renews and that a put may require, with exactly one
 * winner among racing puts; put-if-present; and the errors for hostile
 * values of the new fields.
 */
#include "vmc_test.h"

#include <pthread.h>
#include <time.h>

VMC_FIXTURE(ttl)

static uint32_t boot_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint32_t)ts.tv_sec;
}

/* Sleep until CLOCK_BOOTTIME second @t has begun. */
static void sleep_until(uint32_t t)
{
	while (boot_secs() < t)
		usleep(50000);
}

static int put_ex(int fd, const char *key, const char *val, uint32_t flags,
		  uint64_t cas, uint32_t client_flags, uint32_t expiry)
{
	struct vmemcache_put p = {
		.key = vmc_ptr(key), .key_len = strlen(key),
		.value = vmc_ptr(val), .value_len = strlen(val),
		.flags = flags, .cas = cas, .client_flags = client_flags,
		.expiry = expiry,
	};

	return vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p);
}

static int get_meta(int fd, const char *key, struct vmemcache_get *g,
		    char *buf, size_t size)
{
	*g = (struct vmemcache_get){
		.key = vmc_ptr(key), .key_len = strlen(key),
		.buf = vmc_ptr(buf), .buf_len = size,
		.flags = VMEMCACHE_GET_META,
	};
	return vmc_ioctl(fd, VMEMCACHE_IOC_GET, g);
}

static uint64_t cas_of(int fd, const char *key)
{
	struct vmemcache_get g;

	if (get_meta(fd, key, &g, NULL, 0))
		return 0;
	return g.cas;
}

static int touch(int fd, const char *key, uint32_t expiry)
{
	struct vmemcache_touch t = {
		.key = vmc_ptr(key), .key_len = strlen(key), .expiry = expiry,
	};

	return vmc_ioctl(fd, VMEMCACHE_IOC_TOUCH, &t);
}

/* Does a whole listing of the cache hold @key?  -errno on failure. */
static int listed(int fd, const char *key)
{
	static uint8_t buf[1 << 16];
	struct vmemcache_list ls = { .buf = vmc_ptr(buf),
				     .buf_size = sizeof(buf) };
	size_t len = strlen(key);
	int found = 0, ret;

	do {
		uint8_t *p = buf;
		uint32_t i;

		ret = vmc_ioctl(fd, VMEMCACHE_IOC_LIST, &ls);
		if (ret)
			return ret;
		for (i = 0; i < ls.count; i++) {
			struct vmemcache_evicted_rec *r = (void *)p;

			if (r->key_len == len && !memcmp(r + 1, key, len))
				found = 1;
			p += VMEMCACHE_EVICTED_REC_SIZE(r->key_len);
		}
	} while (ls.cursor);
	return found;
}

/* The io_stat column of expired entries reclaimed; 0 if unreadable. */
static uint64_t io_expired(void)
{
	uint64_t v[6] = {};
	char line[512];

	if (vmc_sysfs_read("io_stat", line, sizeof(line)) <= 0 ||
	    sscanf(line, "%lu %lu %lu %lu %lu %lu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5]) != 6)
		return 0;
	return v[5];
}

TEST_F(ttl, feature)
{
	struct vmemcache_version v = {};

	ASSERT_EQ(0, vmc_version(self->fd, &v));
	ASSERT_NE(0u, v.features & VMEMCACHE_FEAT_ITEM_META);
}

/* An entry with a 1-2 s expiry is gone after it, for every reader. */
TEST_F(ttl, expiry)
{
	uint64_t reclaimed = io_expired();
	uint32_t exp = boot_secs() + 2;
	struct vmemcache_get g;
	char buf[8];

	ASSERT_EQ(0, put_ex(self->fd, "short", "v1", 0, 0, 0, exp));
	ASSERT_EQ(0, put_ex(self->fd, "forever", "v2", 0, 0, 0, 0));
	ASSERT_EQ(0, vmc_exists(self->fd, "short", 5, NULL));
	ASSERT_EQ(1, listed(self->fd, "short"));
	ASSERT_EQ(0, get_meta(self->fd, "short", &g, buf, sizeof(buf)));
	ASSERT_EQ(exp, g.expiry);
	sleep_until(exp);
	/* list and exists first: get must not be what makes it a miss */
	ASSERT_EQ(0, listed(self->fd, "short"));
	ASSERT_EQ(1, listed(self->fd, "forever"));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "short", 5, NULL));
	ASSERT_EQ(-ENOENT, vmc_get(self->fd, "short", 5, buf, sizeof(buf), 0,
				   NULL, NULL));
	ASSERT_EQ(0, vmc_get(self->fd, "forever", 7, buf, sizeof(buf), 0,
			     NULL, NULL));
	/* an expired entry is absent: a put-if-absent stores over it */
	ASSERT_EQ(0, put_ex(self->fd, "short", "v3", 0, 0, 0, boot_secs()));
	/* and reclaims it: the shared cache counts it in io_stat */
	if (!strcmp(vmc_dev_path(), "/dev/vmemcache"))
		ASSERT_LT(reclaimed, io_expired());
	ASSERT_EQ(0, put_ex(self->fd, "short", "v4", 0, 0, 0, 0));
	ASSERT_EQ(-EEXIST, put_ex(self->fd, "short", "v5", 0, 0, 0, 0));
}

/*
 * An evict of an expired key finds nothing to evict, as a get finds
 * nothing to read: ENOENT (memcached's delete says NOT_FOUND), while the
 * entry's space is reclaimed all the same.
 */
TEST_F(ttl, evict_expired)
{
	uint64_t reclaimed = io_expired();
	uint32_t exp = boot_secs() + 1;

	ASSERT_EQ(0, put_ex(self->fd, "gone", "v1", 0, 0, 0, exp));
	sleep_until(exp);
	ASSERT_EQ(-ENOENT, vmc_evict(self->fd, "gone", 4));
	if (!strcmp(vmc_dev_path(), "/dev/vmemcache"))
		ASSERT_LT(reclaimed, io_expired());
	/* reclaimed: the key is free for a put-if-absent */
	ASSERT_EQ(0, put_ex(self->fd, "gone", "v2", 0, 0, 0, 0));
	ASSERT_EQ(0, vmc_evict(self->fd, "gone", 4));
	ASSERT_EQ(-ENOENT, vmc_evict(self->fd, "gone", 4));
}

/* A touch moves the expiry, either way; a missing key is ENOENT. */
TEST_F(ttl, touch)
{
	uint32_t exp = boot_secs() + 2;
	struct vmemcache_get g;
	uint64_t cas;

	ASSERT_EQ(0, put_ex(self->fd, "t", "val", 0, 0, 7, exp));
	cas = cas_of(self->fd, "t");
	ASSERT_EQ(0, touch(self->fd, "t", exp + 100));
	sleep_until(exp);
	ASSERT_EQ(0, get_meta(self->fd, "t", &g, NULL, 0));
	ASSERT_EQ(exp + 100, g.expiry);
	ASSERT_EQ(7u, g.client_flags);
	ASSERT_EQ(cas, g.cas);		/* a touch is not a store */
	ASSERT_EQ(0, touch(self->fd, "t", 0));
	ASSERT_EQ(0, get_meta(self->fd, "t", &g, NULL, 0));
	ASSERT_EQ(0u, g.expiry);
	/* shortened into the past: gone, and a touch cannot revive it */
	ASSERT_EQ(0, touch(self->fd, "t", boot_secs()));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "t", 1, NULL));
	ASSERT_EQ(-ENOENT, touch(self->fd, "t", 0));
	ASSERT_EQ(-ENOENT, touch(self->fd, "nothing", 0));
}

TEST_F(ttl, client_flags)
{
	struct vmemcache_exists x = { .key = vmc_ptr("f"), .key_len = 1,
				      .flags = VMEMCACHE_GET_META };
	struct vmemcache_get g;
	char buf[8] = {};

	ASSERT_EQ(0, put_ex(self->fd, "f", "abc", 0, 0, 0xdeadbeef, 0));
	ASSERT_EQ(0, get_meta(self->fd, "f", &g, buf, sizeof(buf)));
	ASSERT_EQ(0xdeadbeefu, g.client_flags);
	ASSERT_EQ(3u, g.copied);
	ASSERT_STREQ("abc", buf);
	ASSERT_EQ(0, vmc_ioctl(self->fd, VMEMCACHE_IOC_EXISTS, &x));
	ASSERT_EQ(0xdeadbeefu, x.client_flags);
	ASSERT_EQ(g.cas, x.cas);
	ASSERT_EQ(0, put_ex(self->fd, "f", "abc", VMEMCACHE_PUT_REPLACE, 0,
			    0xffffffff, 0));
	ASSERT_EQ(0, get_meta(self->fd, "f", &g, NULL, 0));
	ASSERT_EQ(0xffffffffu, g.client_flags);
	/* an old program's get: the former reserved bytes stay zero */
	g = (struct vmemcache_get){ .key = vmc_ptr("f"), .key_len = 1 };
	ASSERT_EQ(0, vmc_ioctl(self->fd, VMEMCACHE_IOC_GET, &g));
	ASSERT_EQ(0u, g.cas);
	ASSERT_EQ(0u, g.client_flags);
	ASSERT_EQ(0u, g.expiry);
}

TEST_F(ttl, cas)
{
	uint64_t c1, c2;

	ASSERT_EQ(-ENOENT, put_ex(self->fd, "c", "x", VMEMCACHE_PUT_CAS, 1,
				  0, 0));
	ASSERT_EQ(0, put_ex(self->fd, "c", "a", 0, 0, 0, 0));
	c1 = cas_of(self->fd, "c");
	ASSERT_NE(0u, c1);
	ASSERT_EQ(-EEXIST, put_ex(self->fd, "c", "x", VMEMCACHE_PUT_CAS,
				  c1 + 1, 0, 0));
	ASSERT_EQ(0, put_ex(self->fd, "c", "b", VMEMCACHE_PUT_CAS, c1, 0, 0));
	c2 = cas_of(self->fd, "c");
	ASSERT_NE(c1, c2);
	ASSERT_EQ(-EEXIST, put_ex(self->fd, "c", "x", VMEMCACHE_PUT_CAS, c1,
				  0, 0));
	/* every store renews it, a plain replace too */
	ASSERT_EQ(0, put_ex(self->fd, "c", "d", VMEMCACHE_PUT_REPLACE, 0, 0,
			    0));
	ASSERT_NE(c2, cas_of(self->fd, "c"));
	ASSERT_EQ(0, vmc_evict(self->fd, "c", 1));
	ASSERT_EQ(-ENOENT, put_ex(self->fd, "c", "x", VMEMCACHE_PUT_CAS, c2,
				  0, 0));
}

TEST_F(ttl, put_if_present)
{
	char buf[8] = {};

	ASSERT_EQ(-ENOENT, put_ex(self->fd, "p", "x", VMEMCACHE_PUT_PRESENT,
				  0, 0, 0));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "p", 1, NULL));
	ASSERT_EQ(0, put_ex(self->fd, "p", "a", 0, 0, 0, boot_secs() + 100));
	ASSERT_EQ(0, put_ex(self->fd, "p", "b", VMEMCACHE_PUT_PRESENT, 0, 0,
			    0));
	ASSERT_EQ(0, vmc_get(self->fd, "p", 1, buf, sizeof(buf), 0, NULL,
			     NULL));
	ASSERT_STREQ("b", buf);
	ASSERT_EQ(0, put_ex(self->fd, "p", "c", VMEMCACHE_PUT_REPLACE, 0, 0,
			    boot_secs()));
	ASSERT_EQ(-ENOENT, put_ex(self->fd, "p", "x", VMEMCACHE_PUT_PRESENT,
				  0, 0, 0));
}

#define RACERS	8
#define ROUNDS	50

struct racer {
	int fd;
	pthread_barrier_t *bar;
	uint64_t cas[ROUNDS];
	int ret[ROUNDS];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		pthread_barrier_wait(r->bar);
		r->ret[i] = put_ex(r->fd, "race", "won", VMEMCACHE_PUT_CAS,
				   r->cas[i], 0, 0);
		pthread_barrier_wait(r->bar);
	}
	return NULL;
}

/* Puts racing over one version: exactly one wins, the rest see EEXIST. */
TEST_F(ttl, cas_race)
{
	static struct racer r[RACERS];
	pthread_barrier_t bar, *bp = &bar;
	pthread_t t[RACERS];
	int i, j, wins;

	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, RACERS + 1));
	for (j = 0; j < RACERS; j++) {
		r[j].fd = self->fd;
		r[j].bar = bp;
		ASSERT_EQ(0, pthread_create(&t[j], NULL, race, &r[j]));
	}
	for (i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(0, put_ex(self->fd, "race", "start",
				    VMEMCACHE_PUT_REPLACE, 0, 0, 0));
		for (j = 0; j < RACERS; j++)
			r[j].cas[i] = cas_of(self->fd, "race");
		pthread_barrier_wait(&bar);
		pthread_barrier_wait(&bar);
		for (wins = 0, j = 0; j < RACERS; j++) {
			if (!r[j].ret[i])
				wins++;
			else
				ASSERT_EQ(-EEXIST, r[j].ret[i]);
		}
		ASSERT_EQ(1, wins) TH_LOG("round %d", i);
	}
	for (j = 0; j < RACERS; j++)
		pthread_join(t[j], NULL);
	pthread_barrier_destroy(&bar);
}

/* GET or EXISTS with VMEMCACHE_GET_STATE on @key; its state, or -errno. */
static int state_of(int fd, const char *key, bool get, uint32_t *atime)
{
	struct vmemcache_get g = {
		.key = vmc_ptr(key), .key_len = strlen(key),
		.flags = VMEMCACHE_GET_STATE,
	};
	struct vmemcache_exists x = {
		.key = vmc_ptr(key), .key_len = strlen(key),
		.flags = VMEMCACHE_GET_STATE,
	};
	int ret;

	ret = vmc_ioctl(fd, get ? VMEMCACHE_IOC_GET : VMEMCACHE_IOC_EXISTS,
			get ? (void *)&g : (void *)&x);
	if (ret)
		return ret;
	*atime = get ? g.last_access : x.last_access;
	/* GET_META not asked: its fields stay zero */
	if (get ? g.cas || g.expiry : x.cas || x.expiry)
		return -EIO;
	return get ? g.state : x.state;
}

/*
 * VMEMCACHE_FEAT_ITEM_STATE: a put leaves an entry unfetched, accessed at
 * the put's second; a GET reports the state as it was before it and marks
 * the entry fetched and accessed now; EXISTS reports without changing it;
 * a new put of the key starts afresh.
 */
TEST_F(ttl, item_state)
{
	struct vmemcache_version v = {};
	uint32_t t0, at;

	ASSERT_EQ(0, vmc_version(self->fd, &v));
	ASSERT_NE(0u, v.features & VMEMCACHE_FEAT_ITEM_STATE);
	t0 = boot_secs();
	ASSERT_EQ(0, put_ex(self->fd, "st", "v", 0, 0, 0, 0));
	ASSERT_EQ(0, state_of(self->fd, "st", false, &at));
	if (sizeof(long) < 8) {
		EXPECT_EQ(0u, at);	/* no room for it */
	} else {
		/* The coarse stamp may still tell the second before t0. */
		EXPECT_LE(t0 - 1, at);
		EXPECT_GE(boot_secs(), at);
	}
	sleep_until(t0 + 2);
	ASSERT_EQ(0, state_of(self->fd, "st", false, &at));
	ASSERT_EQ(0, state_of(self->fd, "st", true, &at));
	if (sizeof(long) >= 8)
		EXPECT_GE(t0 + 1, at);	/* the put's second, not now */
	t0 = boot_secs();
	ASSERT_EQ((int)VMEMCACHE_STATE_FETCHED,
		  state_of(self->fd, "st", false, &at));
	if (sizeof(long) >= 8)
		EXPECT_LE(t0 - 1, at);	/* the get's, coarse */
	ASSERT_EQ((int)VMEMCACHE_STATE_FETCHED, state_of(self->fd, "st", true, &at));
	ASSERT_EQ(0, put_ex(self->fd, "st", "w", VMEMCACHE_PUT_REPLACE, 0, 0,
			    0));
	ASSERT_EQ(0, state_of(self->fd, "st", true, &at));
	ASSERT_EQ(-ENOENT, state_of(self->fd, "none", true, &at));
	ASSERT_EQ(-ENOENT, state_of(self->fd, "none", false, &at));
}

static int mark(int fd, const char *key, uint32_t flags, uint32_t expiry)
{
	struct vmemcache_touch t = {
		.key = vmc_ptr(key), .key_len = strlen(key), .flags = flags,
		.expiry = expiry,
	};

	return vmc_ioctl(fd, VMEMCACHE_IOC_TOUCH, &t);
}

/*
 * TOUCH's state flags: the win token goes to exactly one taker (EALREADY
 * after); marking stale gives it back and keeps or sets the expiry; a
 * put starts afresh.
 */
TEST_F(ttl, stale_win)
{
	const uint32_t keep = VMEMCACHE_TOUCH_KEEP_EXPIRY;
	uint32_t exp = boot_secs() + 1000, at;
	struct vmemcache_get g;
	char buf[8];

	ASSERT_EQ(-ENOENT, mark(self->fd, "sw", keep | VMEMCACHE_TOUCH_WIN, 0));
	ASSERT_EQ(0, put_ex(self->fd, "sw", "v", 0, 0, 0, exp));
	ASSERT_EQ(0, mark(self->fd, "sw", keep | VMEMCACHE_TOUCH_WIN, 0));
	ASSERT_EQ(-EALREADY, mark(self->fd, "sw", keep | VMEMCACHE_TOUCH_WIN,
				  0));
	ASSERT_EQ((int)VMEMCACHE_STATE_WON, state_of(self->fd, "sw", false,
						     &at));
	ASSERT_EQ(0, mark(self->fd, "sw", keep | VMEMCACHE_TOUCH_STALE, 0));
	ASSERT_EQ((int)VMEMCACHE_STATE_STALE,
		  state_of(self->fd, "sw", false, &at));
	ASSERT_EQ(0, get_meta(self->fd, "sw", &g, buf, sizeof(buf)));
	EXPECT_EQ(exp, g.expiry);
	ASSERT_EQ(0, mark(self->fd, "sw", VMEMCACHE_TOUCH_STALE, exp + 5));
	ASSERT_EQ(0, get_meta(self->fd, "sw", &g, buf, sizeof(buf)));
	EXPECT_EQ(exp + 5, g.expiry);
	ASSERT_EQ(0, mark(self->fd, "sw", keep | VMEMCACHE_TOUCH_WIN, 0));
	ASSERT_EQ(-EALREADY, mark(self->fd, "sw", keep | VMEMCACHE_TOUCH_WIN,
				  0));
	ASSERT_EQ((int)(VMEMCACHE_STATE_FETCHED | VMEMCACHE_STATE_STALE |
			VMEMCACHE_STATE_WON),
		  state_of(self->fd, "sw", true, &at));
	ASSERT_EQ(0, put_ex(self->fd, "sw", "w", VMEMCACHE_PUT_REPLACE, 0, 0,
			    0));
	ASSERT_EQ(0, state_of(self->fd, "sw", true, &at));
	ASSERT_EQ(0, mark(self->fd, "sw", keep | VMEMCACHE_TOUCH_WIN, 0));
}

/* Hostile values of the new fields: EINVAL, and nothing stored. */
TEST_F(ttl, hostile)
{
	struct vmemcache_batch_item it = {
		.key = vmc_ptr("h"), .key_len = 1, .buf = vmc_ptr("v"), .len = 1,
		.op = VMEMCACHE_BATCH_PUT, .flags = VMEMCACHE_PUT_CAS,
	};
	struct vmemcache_batch b = { .items = vmc_ptr(&it), .count = 1 };
	struct vmemcache_touch t = { .key = vmc_ptr("h"), .key_len = 1 };
	struct vmemcache_get g = { .key = vmc_ptr("h"), .key_len = 1 };
	struct vmemcache_exists x = { .key = vmc_ptr("h"), .key_len = 1 };
	unsigned int bit;
	int ro;

	for (bit = 4; bit < 32; bit++)
		ASSERT_EQ(-EINVAL, put_ex(self->fd, "h", "v", 1u << bit, 0, 0,
					  0));
	/* a version without the flag that says to compare it */
	ASSERT_EQ(-EINVAL, put_ex(self->fd, "h", "v", 0, 5, 0, 0));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "h", 1, NULL));
	ASSERT_EQ(0, put_ex(self->fd, "h", "v", 0, 0, 0, 0));

	g.flags = 4;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_GET, &g));
	g.flags = 0;
	g.cas = 1;		/* reserved without VMEMCACHE_GET_META */
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_GET, &g));
	g.cas = 0;
	g.expiry = 1;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_GET, &g));
	g.expiry = 0;
	/* the state fields are reserved without VMEMCACHE_GET_STATE */
	g.flags = VMEMCACHE_GET_META;
	g.state = 1;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_GET, &g));
	g.state = 0;
	g.last_access = 1;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_GET, &g));
	g.last_access = 0;
	g.flags = VMEMCACHE_GET_META | VMEMCACHE_GET_STATE;
	g.reserved[0] = 1;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_GET, &g));
	x.flags = VMEMCACHE_GET_META;
	x.last_access = 1;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_EXISTS, &x));
	x.last_access = 0;
	x.flags = 0;
	x.client_flags = 1;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_EXISTS, &x));
	x.client_flags = 0;
	x.flags = 4;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_EXISTS, &x));

	t.flags = 8;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_TOUCH, &t));
	/* an expiry it would not set */
	t.flags = VMEMCACHE_TOUCH_KEEP_EXPIRY;
	t.expiry = 1;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_TOUCH, &t));
	t.expiry = 0;
	t.flags = 0;
	t.pad = 1;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_TOUCH, &t));
	t.pad = 0;
	t.reserved[2] = 1;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_TOUCH, &t));
	t.reserved[2] = 0;
	t.key_len = 0;
	ASSERT_EQ(-EINVAL, vmc_ioctl(self->fd, VMEMCACHE_IOC_TOUCH, &t));
	t.key_len = 1;
	t.key = 0;
	ASSERT_EQ(-EFAULT, vmc_ioctl(self->fd, VMEMCACHE_IOC_TOUCH, &t));
	t.key = vmc_ptr("h");

	/* a batch item has no version: CAS and PRESENT are refused */
	ASSERT_EQ(0, vmc_ioctl(self->fd, VMEMCACHE_IOC_BATCH, &b));
	ASSERT_EQ(-EINVAL, it.result);
	it.flags = VMEMCACHE_PUT_PRESENT;
	ASSERT_EQ(0, vmc_ioctl(self->fd, VMEMCACHE_IOC_BATCH, &b));
	ASSERT_EQ(-EINVAL, it.result);

	/* a touch changes the cache: not on a read-only descriptor */
	ro = open(vmc_dev_path(), O_RDONLY);
	if (ro >= 0) {
		ASSERT_EQ(-EBADF, vmc_ioctl(ro, VMEMCACHE_IOC_TOUCH, &t));
		close(ro);
	}
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Walks of the index under churn: while threads store and evict other
 * keys, some in waves that make the index grow and shrink, LIST must list
 * every key that exists all along exactly once, and EVICT_PREFIX must
 * evict every key with its prefix that exists all along, each reported
 * once in its log.  A walk stops at each entry it visits; an entry
 * evicted while the walk is stopped at it must not make it skip the next
 * one.
 */
#include "vmc_test.h"

#include <pthread.h>
#include <time.h>

#define REC_KEY(rec)	((const uint8_t *)((rec) + 1))

#define NSTABLE		400U	/* "s-<id>", there all along, value id + 1 */
#define NPREFIX		200U	/* "p-<id>", stored again each round */
#define NCHURN		3U	/* churn threads, more than the guest's CPUs */
#define WAVE		2000U	/* keys thread 0 stores, then evicts, at times */
#define WINDOW		8U	/* keys the others keep, storing and evicting */
#define ROUNDS		400U
#define SECS		20	/* at most, per test */

VMC_FIXTURE(walk)

struct churn {
	int fd;
	unsigned int id;
	volatile int *stop;
	uint64_t puts, evicts, failures;
	int error;
};

static int churn_put(struct churn *ch, uint64_t n)
{
	char key[48];
	int ret;

	ret = vmc_put(ch->fd, key, snprintf(key, sizeof(key), "c%u-%llu",
					    ch->id, (unsigned long long)n),
		      "c", 1, 0);
	if (ret && !ch->failures++)
		ch->error = ret;
	ch->puts++;
	return ret;
}

static void churn_evict(struct churn *ch, uint64_t n)
{
	char key[48];
	int ret;

	ret = vmc_evict(ch->fd, key, snprintf(key, sizeof(key), "c%u-%llu",
					      ch->id, (unsigned long long)n));
	if (ret && !ch->failures++)
		ch->error = ret;
	ch->evicts++;
}

/*
 * Thread 0 stores WAVE keys and evicts them all now and then, so that the
 * index grows and shrinks.  The others keep WINDOW keys, storing a new one
 * and evicting the oldest without pause: few keys that change all the
 * time, so that a walk often stops at one that goes while the key after it
 * in its bucket is one of those there all along.
 */
static void *churn_main(void *arg)
{
	struct churn *ch = arg;
	uint64_t lo = 0, hi = 0;

	while (!*ch->stop) {
		if (ch->id) {
			churn_put(ch, hi++);
			if (hi - lo > WINDOW)
				churn_evict(ch, lo++);
			continue;
		}
		while (hi - lo < WAVE && !*ch->stop)
			churn_put(ch, hi++);
		while (lo < hi)
			churn_evict(ch, lo++);
		usleep(300 * 1000);
	}
	while (lo < hi)
		churn_evict(ch, lo++);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * List every key with a buffer of size bytes: count the stable keys in
 * seen[]; -errno on failure, else the number of records of stable keys.
 */
static int list_all(int fd, void *buf, uint64_t size, uint8_t *seen,
		    uint32_t *calls, char *what, size_t what_len)
{
	struct vmemcache_list ls;
	uint64_t cursor = 0;
	int total = 0, ret;

	do {
		const uint8_t *p = buf;
		uint32_t i;

		memset(&ls, 0, sizeof(ls));
		ls.buf = vmc_ptr(buf);
		ls.buf_size = size;
		ls.cursor = cursor;
		ret = vmc_ioctl(fd, VMEMCACHE_IOC_LIST, &ls);
		if (ret)
			return ret;
		(*calls)++;
		for (i = 0; i < ls.count; i++) {
			const struct vmemcache_evicted_rec *rec = (const void *)p;
			char key[40];
			unsigned long id;

			p += VMEMCACHE_EVICTED_REC_SIZE(rec->key_len);
			if (rec->key_len >= sizeof(key) ||
			    p > (const uint8_t *)buf + ls.used) {
				snprintf(what, what_len, "bad record %u", i);
				return -EBADMSG;
			}
			memcpy(key, REC_KEY(rec), rec->key_len);
			key[rec->key_len] = '\0';
			if (strncmp(key, "s-", 2))
				continue;
			id = strtoul(key + 2, NULL, 10);
			if (id >= NSTABLE || rec->value_size != id + 1) {
				snprintf(what, what_len,
					 "%s listed with size %llu", key,
					 (unsigned long long)rec->value_size);
				return -EBADMSG;
			}
			seen[id]++;
			total++;
		}
		cursor = ls.cursor;
	} while (cursor);
	return total;
}

/*
 * Every stable key is listed exactly once per listing, and every key of
 * a prefix evicted exactly once, while the index churns and resizes.
 */
TEST_F_TIMEOUT(walk, list_and_evict_prefix_under_churn, 300)
{
	static uint8_t val[NSTABLE + 1], seen[NSTABLE], evicted[NPREFIX];
	static uint64_t listbuf[(128 << 10) / 8], logbuf[(64 << 10) / 8];
	struct vmemcache_evicted_log *log = (void *)logbuf;
	uint64_t sizes[] = { sizeof(listbuf), 2048 };
	uint32_t round, i, calls = 0, listings = 0;
	struct vmemcache_evict ev;
	struct churn ch[NCHURN];
	volatile int stop = 0;
	uint64_t puts = 0, evicts = 0, failures = 0;
	int error = 0;
	char key[32], what[128];
	pthread_t thr[NCHURN];
	double end;
	int ret;

	VMC_CONFIG(64ULL << 20, 64, "lru");
	memset(val, 'v', sizeof(val));
	for (i = 0; i < NSTABLE; i++)
		ASSERT_EQ(0, vmc_put(self->fd, key,
				     vmc_key(key, sizeof(key), "s-", i),
				     val, i + 1, 0));
	memset(ch, 0, sizeof(ch));
	for (i = 0; i < NCHURN; i++) {
		ch[i].fd = vmc_open();
		ASSERT_LE(0, ch[i].fd);
		ch[i].id = i;
		ch[i].stop = &stop;
		ASSERT_EQ(0, pthread_create(&thr[i], NULL, churn_main, &ch[i]));
	}

	end = now() + SECS;
	for (round = 0; round < ROUNDS && now() < end; round++) {
		/* LIST, in one call or in many. */
		memset(seen, 0, sizeof(seen));
		what[0] = '\0';
		ret = list_all(self->fd, listbuf, sizes[round % 2], seen,
			       &calls, what, sizeof(what));
		listings++;
		EXPECT_EQ((int)NSTABLE, ret) TH_LOG("round %u: %s", round, what);
		for (i = 0; i < NSTABLE; i++) {
			unsigned int n = seen[i];

			EXPECT_EQ(1u, n)
				TH_LOG("round %u: s-%u listed %u times", round,
				       i, n);
		}
		if (ret != (int)NSTABLE)
			break;

		/* EVICT_PREFIX of keys there all along. */
		for (i = 0; i < NPREFIX; i++)
			ASSERT_EQ(0, vmc_put(self->fd, key,
					     vmc_key(key, sizeof(key), "p-", i),
					     "p", 1, 0));
		memset(&ev, 0, sizeof(ev));
		ev.key = vmc_ptr("p-");
		ev.key_len = 2;
		ev.flags = VMEMCACHE_EVICT_PREFIX;
		ev.evicted = vmc_ptr(log);
		ev.evicted_size = sizeof(logbuf);
		ASSERT_EQ(0, vmc_ioctl(self->fd, VMEMCACHE_IOC_EVICT, &ev));
		ASSERT_EQ(0u, log->dropped);
		EXPECT_EQ(NPREFIX, log->count);
		memset(evicted, 0, sizeof(evicted));
		{
			const uint8_t *p = (const uint8_t *)(log + 1);

			for (i = 0; i < log->count; i++) {
				const struct vmemcache_evicted_rec *rec =
					(const void *)p;
				unsigned long id;

				ASSERT_GT(sizeof(key), rec->key_len);
				memcpy(key, REC_KEY(rec), rec->key_len);
				key[rec->key_len] = '\0';
				id = strtoul(key + 2, NULL, 10);
				ASSERT_EQ(0, strncmp(key, "p-", 2));
				ASSERT_GT(NPREFIX, id);
				evicted[id]++;
				p += VMEMCACHE_EVICTED_REC_SIZE(rec->key_len);
			}
		}
		for (i = 0; i < NPREFIX; i++) {
			unsigned int n = evicted[i];

			EXPECT_EQ(1u, n)
				TH_LOG("round %u: p-%u evicted %u times", round,
				       i, n);
			EXPECT_EQ(-ENOENT, vmc_exists(self->fd, key,
				  vmc_key(key, sizeof(key), "p-", i), NULL))
				TH_LOG("round %u: p-%u survived", round, i);
		}
		if (_metadata->passed == 0)
			break;
	}
	stop = 1;
	for (i = 0; i < NCHURN; i++) {
		pthread_join(thr[i], NULL);
		close(ch[i].fd);
		puts += ch[i].puts;
		evicts += ch[i].evicts;
		failures += ch[i].failures;
		if (ch[i].error)
			error = ch[i].error;
	}
	fprintf(stderr, "# %u listings in %u calls; churn: %llu puts, %llu evicts\n",
		listings, calls, (unsigned long long)puts,
		(unsigned long long)evicts);
	ASSERT_EQ(0u, failures) TH_LOG("churn: %s", strerror(-error));
	ASSERT_LE(2u, listings);
	for (i = 0; i < NSTABLE; i++)
		ASSERT_EQ(0, vmc_exists(self->fd, key,
					vmc_key(key, sizeof(key), "s-", i),
					NULL));
	VMC_ASSERT_CONSISTENT();
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Soak: hundreds of threads in several processes share the cache, mixing
 * gets, exists, puts, replacements, explicit evictions and LRU evictions
 * on one key space far larger than the pool, so that eviction never
 * stops.  Optionally a process eats the guest's free memory meanwhile.
 *
 * Every key has one owner thread, the only one that writes it; any thread
 * reads any key.  A value carries its key, its generation and its length
 * in a header, and its payload is a pattern derived from them, so a get
 * must return a miss or an intact value of the key asked for, never older
 * than the last put that completed before the get began.  Every put and
 * evict carries an evicted-entries log, and each evicted key is counted in
 * memory all processes share.  At the end, with every thread stopped:
 *
 *  - a key whose owner last put it holds exactly that generation, or an
 *    eviction of it was reported after that put began (nothing is lost);
 *  - a key whose owner last evicted it is absent (nothing comes back);
 *  - the statistics match what the workers did: puts, gets, hits, misses,
 *    evictions (every one reported in some log) and entries;
 *  - the module's consistency check passes.
 *
 * Environment: VMC_SOAK_SECS (seconds of each run, default 15, or longer,
 * up to 8 times, until evictions have replaced the pool's entries twice),
 * VMC_SOAK_PROCS (processes, default 4), VMC_SOAK_THREADS (threads per
 * process, default 64).  Longer soaks need a larger per-binary timeout
 * (check.sh -t).
 */
#include "vmc_test.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#define CAP		(8ULL << 20)
#define EXT		256U
#define NKEYS		8192U		/* about 64 MiB of values: 8x the pool */
#define MINLEN		64U
#define MAXLEN		(16U << 10)	/* 1 to 64 extents */
#define LOGSIZE		(64U << 10)
#define MAGIC		0x4b414f53434d56ULL	/* "VMCSOAK" */
#define MAX_FAILS	20		/* messages printed per process */

enum { OP_NONE, OP_PUT, OP_EVICT };

/* One key, in memory every process shares. */
struct soak_key {
	_Atomic uint64_t issued;	/* newest generation a put was begun with */
	_Atomic uint64_t done;		/* generation of the newest completed put */
	_Atomic uint64_t evicted;	/* evictions of this key reported */
	/* written by the owner only, read at the end */
	uint64_t last_gen;		/* generation of the owner's last put */
	uint64_t evicted_before;	/* @evicted when that put began */
	int last_op;			/* OP_*: the owner's last successful op */
};

struct soak_totals {
	_Atomic uint64_t gets, hits, misses, puts, reported, dropped;
	_Atomic uint64_t evicted;	/* evictions reported so far, live */
	_Atomic uint64_t failures;
	_Atomic int stop;
};

struct soak {
	struct soak_key keys[NKEYS];
	struct soak_totals t;
	unsigned int nthreads;		/* in all processes */
	uint64_t seed;
};

struct vhdr {
	uint64_t magic;		/* MAGIC ^ key */
	uint64_t gen;
	uint64_t len;
};

struct worker {
	struct soak *s;
	unsigned int id;	/* 0 .. nthreads - 1, over all processes */
	int fd;
	uint8_t *val, *buf, *log;
	uint64_t gets, hits, misses, puts, reported, dropped;
};

static unsigned int env_uint(const char *name, unsigned int def)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned int)strtoul(v, NULL, 0) : def;
}

static uint32_t soak_key(char *buf, size_t size, unsigned int k)
{
	return vmc_key(buf, size, "soak:", k);
}

/* The length of generation gen of key k: 64 B .. 16 KiB. */
static uint64_t soak_len(unsigned int k, uint64_t gen)
{
	return MINLEN + vmc_mix64(vmc_seed(k, gen)) % (MAXLEN - MINLEN + 1);
}

static void make_value(uint8_t *buf, unsigned int k, uint64_t gen)
{
	struct vhdr h = { MAGIC ^ k, gen, soak_len(k, gen) };

	memcpy(buf, &h, sizeof(h));
	vmc_fill_at(buf + sizeof(h), h.len - sizeof(h), vmc_seed(k, gen),
		    sizeof(h));
}

/* NULL if buf holds an intact value of key k, else what is wrong. */
static const char *check_value(const uint8_t *buf, uint64_t size,
			       uint64_t copied, unsigned int k, uint64_t *gen)
{
	struct vhdr h;

	if (copied != size || size < sizeof(h))
		return "short value";
	memcpy(&h, buf, sizeof(h));
	if (h.magic != (MAGIC ^ k))
		return "value of another key";
	if (h.len != size || h.len != soak_len(k, h.gen))
		return "wrong length";
	if (vmc_check_at(buf + sizeof(h), size - sizeof(h), vmc_seed(k, h.gen),
			 sizeof(h)) >= 0)
		return "corrupt payload";
	*gen = h.gen;
	return NULL;
}

static void fail(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&w->s->t.failures, 1) >= MAX_FAILS)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "# worker %u: ", w->id);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Count the keys an evicted-entries log reports. */
static void count_log(struct worker *w)
{
	const struct vmemcache_evicted_log *log = (const void *)w->log;
	const uint8_t *p = w->log + sizeof(*log);
	char key[32];
	uint32_t i;

	w->dropped += log->dropped;
	if (log->count)
		atomic_fetch_add(&w->s->t.evicted, log->count);
	for (i = 0; i < log->count; i++) {
		const struct vmemcache_evicted_rec *rec = (const void *)p;
		unsigned int k;

		if (rec->key_len >= sizeof(key)) {
			fail(w, "evicted record with a %u-byte key", rec->key_len);
			return;
		}
		memcpy(key, p + sizeof(*rec), rec->key_len);
		key[rec->key_len] = '\0';
		if (sscanf(key, "soak:%u", &k) != 1 || k >= NKEYS) {
			fail(w, "evicted record of key '%s'", key);
			return;
		}
		atomic_fetch_add(&w->s->keys[k].evicted, 1);
		w->reported++;
		p += VMEMCACHE_EVICTED_REC_SIZE(rec->key_len);
	}
}

static void do_get(struct worker *w, unsigned int k)
{
	struct soak_key *sk = &w->s->keys[k];
	uint64_t before = atomic_load(&sk->done), copied, size, gen;
	char key[32];
	uint32_t klen = soak_key(key, sizeof(key), k);
	const char *bad;
	int ret;

	ret = vmc_get(w->fd, key, klen, w->buf, MAXLEN + 1, 0, &copied, &size);
	w->gets++;
	if (ret == -ENOENT) {
		w->misses++;
		return;
	}
	if (ret) {
		fail(w, "get %s: %s", key, strerror(-ret));
		return;
	}
	w->hits++;
	bad = check_value(w->buf, size, copied, k, &gen);
	if (bad)
		fail(w, "get %s: %s", key, bad);
	else if (gen < before || gen > atomic_load(&sk->issued))
		fail(w, "get %s: generation %llu, puts completed up to %llu",
		     key, (unsigned long long)gen,
		     (unsigned long long)before);
}

static void do_exists(struct worker *w, unsigned int k)
{
	char key[32];
	uint32_t klen = soak_key(key, sizeof(key), k);
	int ret = vmc_exists(w->fd, key, klen, NULL);

	if (ret && ret != -ENOENT)
		fail(w, "exists %s: %s", key, strerror(-ret));
}

static int log_call(struct worker *w, unsigned long cmd, void *arg)
{
	int ret;

	memset(w->log, 0, sizeof(struct vmemcache_evicted_log));
	ret = vmc_ioctl(w->fd, cmd, arg);
	if (!ret || ret == -EEXIST || ret == -ENOSPC || ret == -ENOENT ||
	    ret == -ESRCH)
		count_log(w);
	return ret;
}

static void do_evict_lru(struct worker *w)
{
	struct vmemcache_evict ev = {
		.evicted = vmc_ptr(w->log), .evicted_size = LOGSIZE,
	};
	int ret = log_call(w, VMEMCACHE_IOC_EVICT, &ev);

	if (ret && ret != -ESRCH)
		fail(w, "LRU evict: %s", strerror(-ret));
}

/* A put or an evict of a key this worker owns. */
static void do_write(struct worker *w, unsigned int k, uint64_t *rnd)
{
	struct soak_key *sk = &w->s->keys[k];
	char key[32];
	uint32_t klen = soak_key(key, sizeof(key), k);
	uint64_t gen, before;
	int ret;

	if (vmc_rand(rnd) % 4 == 0) {
		struct vmemcache_evict ev = {
			.key = vmc_ptr(key), .key_len = klen,
			.evicted = vmc_ptr(w->log), .evicted_size = LOGSIZE,
		};

		ret = log_call(w, VMEMCACHE_IOC_EVICT, &ev);
		if (ret && ret != -ENOENT)
			fail(w, "evict %s: %s", key, strerror(-ret));
		else
			sk->last_op = OP_EVICT;
		return;
	}

	gen = atomic_load(&sk->issued) + 1;
	make_value(w->val, k, gen);
	/* Taken before the put: an eviction of it can only count later. */
	before = atomic_load(&sk->evicted);
	atomic_store(&sk->issued, gen);
	{
		struct vmemcache_put p = {
			.key = vmc_ptr(key), .key_len = klen,
			.value = vmc_ptr(w->val), .value_len = soak_len(k, gen),
			.flags = vmc_rand(rnd) % 2 ? VMEMCACHE_PUT_REPLACE : 0,
			.evicted = vmc_ptr(w->log), .evicted_size = LOGSIZE,
		};

		ret = log_call(w, VMEMCACHE_IOC_PUT, &p);
	}
	if (!ret) {
		w->puts++;
		sk->last_gen = gen;
		sk->evicted_before = before;
		sk->last_op = OP_PUT;
		atomic_store(&sk->done, gen);
	} else if (ret != -EEXIST && ret != -ENOSPC) {
		/* ENOSPC: every entry was in use; the old value stays */
		fail(w, "put %s: %s", key, strerror(-ret));
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct soak *s = w->s;
	uint64_t rnd = vmc_mix64(s->seed ^ vmc_mix64(w->id + 1));
	unsigned int owned = NKEYS / s->nthreads, r;

	while (!atomic_load(&s->t.stop)) {
		r = vmc_rand(&rnd) % 100;
		if (r < 60)
			do_get(w, vmc_rand(&rnd) % NKEYS);
		else if (r < 64)
			do_exists(w, vmc_rand(&rnd) % NKEYS);
		else if (r < 66)
			do_evict_lru(w);
		else if (owned)
			do_write(w, w->id + s->nthreads *
				 (unsigned int)(vmc_rand(&rnd) % owned), &rnd);
	}
	atomic_fetch_add(&s->t.gets, w->gets);
	atomic_fetch_add(&s->t.hits, w->hits);
	atomic_fetch_add(&s->t.misses, w->misses);
	atomic_fetch_add(&s->t.puts, w->puts);
	atomic_fetch_add(&s->t.reported, w->reported);
	atomic_fetch_add(&s->t.dropped, w->dropped);
	return NULL;
}

/* One process: threads first..first + n - 1. */
static int soak_process(struct soak *s, unsigned int first, unsigned int n)
{
	struct worker *w = calloc(n, sizeof(*w));
	pthread_t *tid = calloc(n, sizeof(*tid));
	pthread_attr_t attr;
	int fd = vmc_open(), ret = 0;
	unsigned int i, started = 0;

	if (!w || !tid || fd < 0)
		return 1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 << 10);
	for (i = 0; i < n; i++) {
		w[i] = (struct worker){ .s = s, .id = first + i, .fd = fd };
		w[i].val = malloc(MAXLEN);
		w[i].buf = malloc(MAXLEN + 1);
		w[i].log = malloc(LOGSIZE);
		if (!w[i].val || !w[i].buf || !w[i].log ||
		    pthread_create(&tid[i], &attr, worker_main, &w[i])) {
			fprintf(stderr, "# cannot start worker %u\n", first + i);
			atomic_store(&s->t.stop, 1);
			ret = 1;
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < n; i++) {
		free(w[i].val);
		free(w[i].buf);
		free(w[i].log);
	}
	close(fd);
	free(w);
	free(tid);
	return ret;
}

static unsigned long mem_available_kb(void)
{
	unsigned long avail = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &avail) == 1)
			break;
	if (f)
		fclose(f);
	return avail;
}

/* Pages reclaim has scanned since boot. */
static uint64_t pages_scanned(void)
{
	unsigned long long v, sum = 0;
	char name[64];
	FILE *f = fopen("/proc/vmstat", "r");

	while (f && fscanf(f, "%63s %llu", name, &v) == 2)
		if (!strncmp(name, "pgscan_", 7))
			sum += v;
	if (f)
		fclose(f);
	return sum;
}

/* Read 1 MiB of fd through the page cache, from the start again at the end. */
static void read_some(int fd, char *buf)
{
	if (read(fd, buf, 1 << 20) <= 0)
		lseek(fd, 0, SEEK_SET);
}

/*
 * Memory pressure: take anonymous memory until 512 MiB are left, then read
 * a block device through the page cache until reclaim runs (then write a
 * byte to @ready), and go on reading, so that the rest stays full of clean
 * pages that reclaim must keep taking back, asking for compaction now and
 * then.  Nothing here can make the kernel run out of memory.
 */
static void eat_memory(int ready)
{
	const size_t chunk = 16 << 20;
	const char *devs[] = { "/dev/pmem0", "/dev/ram0" };
	char *rbuf = malloc(1 << 20);
	uint64_t scanned, n;
	unsigned int i;
	void *p;
	int fd = -1;
	FILE *f;

	f = fopen("/proc/self/oom_score_adj", "w");
	if (f) {
		fputs("1000", f);
		fclose(f);
	}
	/* Not starved by hundreds of workers. */
	setpriority(PRIO_PROCESS, 0, -10);
	while (mem_available_kb() > (512UL << 10)) {
		p = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		memset(p, 0x5a, chunk);
	}
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]) && fd < 0; i++)
		fd = open(devs[i], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !rbuf)
		_exit(1);
	scanned = pages_scanned();
	for (n = 0; pages_scanned() == scanned && n < 8192; n++)
		read_some(fd, rbuf);
	fprintf(stderr, "# memory eater: %lu kB left available, reclaim running after %llu MiB read from %s\n",
		mem_available_kb(), (unsigned long long)n, devs[i - 1]);
	if (write(ready, "", 1) != 1)
		_exit(1);
	close(ready);
	for (n = 0;; n++) {
		read_some(fd, rbuf);
		if (n % 1024 == 1023) {
			f = fopen("/proc/sys/vm/compact_memory", "w");
			if (f) {
				fputs("1", f);
				fclose(f);
			}
		}
	}
}

static void soak_run(struct __test_metadata *_metadata, int fd,
		     const char *policy, bool hog)
{
	unsigned int secs = env_uint("VMC_SOAK_SECS", 15);
	unsigned int nprocs = env_uint("VMC_SOAK_PROCS", 4);
	unsigned int per = env_uint("VMC_SOAK_THREADS", 64);
	struct vmemcache_stats st0, st1;
	uint64_t scanned;
	struct soak *s;
	pid_t pids[64], eater = -1;
	unsigned int i, present = 0, lost = 0, back = 0, stale = 0;
	char key[32];
	uint8_t *buf = malloc(MAXLEN + 1);
	int status;

	ASSERT_NE(NULL, buf);
	ASSERT_LE(1U, nprocs);
	ASSERT_GE(64U, nprocs);
	ASSERT_LE(1U, per);
	VMC_CONFIG(CAP, EXT, policy);
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, s);
	s->nthreads = nprocs * per;
	s->seed = vmc_test_seed("soak");
	ASSERT_LE(s->nthreads, NKEYS);
	ASSERT_EQ(0, vmc_stats(fd, &st0));

	if (hog) {
		int pfd[2];
		char c;

		/* The memory goes first: the workers would starve the eater. */
		ASSERT_EQ(0, pipe(pfd));
		eater = fork();
		ASSERT_LE(0, eater);
		if (!eater) {
			close(pfd[0]);
			eat_memory(pfd[1]);
		}
		close(pfd[1]);
		ASSERT_EQ(1, read(pfd[0], &c, 1)) TH_LOG("the memory eater died");
		close(pfd[0]);
	}
	scanned = pages_scanned();
	for (i = 0; i < nprocs; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			_exit(soak_process(s, i * per, per));
	}
	fprintf(stderr, "# soak: %u processes x %u threads, %u s, policy %s%s\n",
		nprocs, per, secs, policy, hog ? ", memory eaten" : "");
	/*
	 * On a slow kernel (the debug tier) the workers go on until eviction
	 * has replaced the pool's contents twice over, for at most 8 times
	 * the time asked for.
	 */
	for (i = 0; i < 8 * secs; i++) {
		if (i >= secs && !vmc_stats(fd, &st1) &&
		    atomic_load(&s->t.evicted) > 2 * st1.entries)
			break;
		sleep(1);
	}
	if (i > secs)
		fprintf(stderr, "# soak: ran %u s for the evictions to replace the pool twice\n",
			i);
	atomic_store(&s->t.stop, 1);
	for (i = 0; i < nprocs; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("soak process %u: status %#x", i, status);
	}
	if (eater > 0) {
		kill(eater, SIGKILL);
		waitpid(eater, &status, 0);
	}

	/* Every key as its owner left it. */
	for (i = 0; i < NKEYS; i++) {
		struct soak_key *sk = &s->keys[i];
		uint32_t klen = soak_key(key, sizeof(key), i);
		uint64_t copied, size, gen = 0;
		int ret = vmc_get(fd, key, klen, buf, MAXLEN + 1, 0, &copied,
				  &size);

		ASSERT_TRUE(!ret || ret == -ENOENT)
			TH_LOG("final get %s: %s", key, strerror(-ret));
		if (!ret) {
			const char *bad = check_value(buf, size, copied, i, &gen);

			present++;
			EXPECT_EQ(NULL, bad) TH_LOG("final get %s: %s", key, bad);
			if (sk->last_op != OP_PUT) {
				if (back++ < MAX_FAILS)
					TH_LOG("%s is back after its owner evicted it", key);
			} else if (gen != sk->last_gen) {
				if (stale++ < MAX_FAILS)
					TH_LOG("%s holds generation %llu, last put %llu",
					       key, (unsigned long long)gen,
					       (unsigned long long)sk->last_gen);
			}
		} else if (sk->last_op == OP_PUT &&
			   atomic_load(&sk->evicted) == sk->evicted_before) {
			if (lost++ < MAX_FAILS)
				TH_LOG("%s (generation %llu) is gone, and no eviction of it was reported",
				       key, (unsigned long long)sk->last_gen);
		}
	}
	ASSERT_EQ(0, vmc_stats(fd, &st1));
	/* the final gets count too */
	st1.gets -= NKEYS;
	st1.hits -= present;
	st1.misses -= NKEYS - present;
	fprintf(stderr, "# soak: %llu gets (%llu hits), %llu puts, %llu evictions reported, %u keys present\n",
		(unsigned long long)s->t.gets, (unsigned long long)s->t.hits,
		(unsigned long long)s->t.puts,
		(unsigned long long)s->t.reported, present);

	EXPECT_EQ(0U, s->t.failures);
	EXPECT_EQ(0U, lost);
	EXPECT_EQ(0U, back);
	EXPECT_EQ(0U, stale);
	EXPECT_EQ(0U, s->t.dropped) TH_LOG("evicted logs dropped records");
	EXPECT_EQ(s->t.gets, st1.gets - st0.gets);
	EXPECT_EQ(s->t.hits, st1.hits - st0.hits);
	EXPECT_EQ(s->t.misses, st1.misses - st0.misses);
	EXPECT_EQ(s->t.puts, st1.puts - st0.puts);
	EXPECT_EQ(s->t.reported, st1.evictions - st0.evictions);
	EXPECT_EQ(present, st1.entries);
	/* The pool was far too small: more than a poolful was evicted. */
	EXPECT_LT(st1.entries, s->t.reported);
	/* The memory eater kept reclaim running while the workers ran. */
	scanned = pages_scanned() - scanned;
	if (hog) {
		fprintf(stderr, "# soak: reclaim scanned %llu pages\n",
			(unsigned long long)scanned);
		EXPECT_LT(0U, scanned);
	}
	VMC_ASSERT_CONSISTENT();
	munmap(s, sizeof(*s));
	free(buf);
}

VMC_FIXTURE(soak)
VMC_LRU_VARIANTS(soak);

TEST_F_TIMEOUT(soak, mixed_ops_continuous_eviction, 7200)
{
	soak_run(_metadata, self->fd, variant->policy, false);
}

TEST_F_TIMEOUT(soak, under_memory_pressure, 7200)
{
	soak_run(_metadata, self->fd, variant->policy, true);
}

TEST_HARNESS_MAIN

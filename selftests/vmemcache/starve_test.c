// SPDX-License-Identifier: GPL-2.0
/*
 * Priority inversion on one CPU: a SCHED_FIFO thread gets (or replaces)
 * a key while a SCHED_OTHER thread on the same CPU replaces and evicts
 * it.  If the real-time thread could wait in the kernel for the other to
 * finish taking an entry out of the index, and the other was preempted
 * half way, neither would ever run again on that CPU.  Both must keep
 * making progress.
 *
 * The other thread is preempted anywhere only under full preemption:
 * `make check` boots one of its kernels with preempt=full, and the
 * PREEMPT_RT tier is always fully preemptible.  The test does not switch
 * the model at run time (/sys/kernel/debug/sched/preempt): that rewrites
 * the kernel's cond_resched() call sites while other CPUs run them, a
 * machine-wide change no test should make.  It prints the model in force.
 * Real-time throttling stays on: it ends such a livelock within a second,
 * and the guest stays healthy; a watchdog thread of a higher priority sees
 * the stall.  The key is long: hashing it is much of the time an unlink
 * takes.
 *
 * A stall is no progress for VMC_STARVE_MS (default 400 ms; a livelock
 * lasts about a second, until throttling ends it).  The debug tier, where
 * KASAN and lockdep make every operation many times slower, raises it and
 * so catches only longer stalls; the standard and RT tiers catch these.
 */
#include "vmc_test.h"

#include <pthread.h>
#include <time.h>

#define KEY_LEN		16384U
#define RUN_SECS	6
#define STALL_MS	400	/* default of VMC_STARVE_MS */
#define PREEMPT		VMC_DEBUGFS "/sched/preempt"

FIXTURE(starve) {
	int fd;
	int cpu;
};

FIXTURE_VARIANT(starve) {
	bool fifo_replaces;	/* else the real-time thread gets */
};

FIXTURE_VARIANT_ADD(starve, fifo_get) {
	.fifo_replaces = false,
};

FIXTURE_VARIANT_ADD(starve, fifo_replace) {
	.fifo_replaces = true,
};

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* The preemption model in force: "full", "voluntary"... or "" if unknown. */
static void preempt_mode(char *mode, size_t size)
{
	char buf[128], *open_paren, *close_paren;

	mode[0] = '\0';
	if (read_file(PREEMPT, buf, sizeof(buf)))
		return;
	open_paren = strchr(buf, '(');
	close_paren = open_paren ? strchr(open_paren, ')') : NULL;
	if (close_paren && (size_t)(close_paren - open_paren) <= size) {
		*close_paren = '\0';
		snprintf(mode, size, "%s", open_paren + 1);
	}
}

FIXTURE_SETUP(starve)
{
	char mode[32];
	cpu_set_t set;
	char dummy[8];

	self->fd = -1;
	ASSERT_EQ(0, vmc_restore_defaults());
	self->fd = vmc_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(set), &set));
	for (self->cpu = 0; !CPU_ISSET(self->cpu, &set); self->cpu++)
		;

	/* debugfs, for the preemption model (vmc_check_read() mounts it). */
	vmc_check_read(dummy, sizeof(dummy));
	preempt_mode(mode, sizeof(mode));
	if (!*mode && !read_file("/sys/kernel/realtime", mode, sizeof(mode)) &&
	    !strcmp(mode, "1"))
		snprintf(mode, sizeof(mode), "PREEMPT_RT");
	fprintf(stderr, "# preemption: %s\n", *mode ? mode : "unknown");
}

FIXTURE_TEARDOWN(starve)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, vmc_restore_defaults());
}

struct side {
	int fd;
	int cpu;
	int prio;		/* SCHED_FIFO priority, 0 for SCHED_OTHER */
	bool replaces;		/* the real-time side: replace, else get */
	const char *key;
	const void *val;
	volatile uint64_t ops;
	volatile int *stop;
	int error;
	uint64_t max_ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int become(int cpu, int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	/* Threads inherit the creator's policy: always set one. */
	return -pthread_setschedparam(pthread_self(),
				      prio ? SCHED_FIFO : SCHED_OTHER, &sp);
}

/* The real-time side: one operation, then a short sleep, over and over. */
static void *fifo_main(void *arg)
{
	struct timespec nap = { .tv_nsec = 500 * 1000 };
	struct side *s = arg;
	char buf[16];
	uint64_t t;
	int ret;

	s->error = become(s->cpu, s->prio);
	if (s->error)
		return NULL;
	while (!*s->stop) {
		t = now_ns();
		if (s->replaces)
			ret = vmc_put(s->fd, s->key, KEY_LEN, s->val, 8,
				      VMEMCACHE_PUT_REPLACE);
		else
			ret = vmc_get(s->fd, s->key, KEY_LEN, buf, sizeof(buf),
				      0, NULL, NULL);
		t = now_ns() - t;
		if (t > s->max_ns)
			s->max_ns = t;
		if (ret && ret != -ENOENT) {
			s->error = ret;
			return NULL;
		}
		s->ops++;
		nanosleep(&nap, NULL);
	}
	return NULL;
}

/* The other side: replace, evict and store again, without a pause. */
static void *other_main(void *arg)
{
	struct side *s = arg;
	uint64_t i;
	int ret;

	s->error = become(s->cpu, 0);
	for (i = 0; !s->error && !*s->stop; i++) {
		if (i % 2)
			ret = vmc_put(s->fd, s->key, KEY_LEN, s->val, 8,
				      VMEMCACHE_PUT_REPLACE);
		else
			ret = vmc_evict(s->fd, s->key, KEY_LEN);
		if (ret && ret != -ENOENT && ret != -EEXIST)
			s->error = ret;
		s->ops++;
	}
	return NULL;
}

TEST_F_TIMEOUT(starve, rt_thread_and_unlinker_share_a_cpu, 120)
{
	struct side fifo = { 0 }, other = { 0 };
	uint64_t last_fifo = 0, last_other = 0, t0, seen_fifo, seen_other;
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	volatile int stop = 0;
	pthread_t tf, to;
	char *key;
	int ret;
	bool stalled = false;
	unsigned long stall_ms = STALL_MS;

	ret = become(self->cpu, 1);
	if (ret == -EPERM)
		SKIP(return, "SCHED_FIFO not permitted");
	/* The watchdog: above the real-time side, on the same CPU. */
	ASSERT_EQ(0, become(self->cpu, 20));

	key = malloc(KEY_LEN);
	ASSERT_NE(NULL, key);
	memset(key, 'k', KEY_LEN);
	ASSERT_EQ(0, vmc_put(self->fd, key, KEY_LEN, "initial!", 8, 0));

	fifo.fd = other.fd = self->fd;
	fifo.cpu = other.cpu = self->cpu;
	fifo.key = other.key = key;
	fifo.val = other.val = "newvalue";
	fifo.stop = other.stop = &stop;
	fifo.prio = 10;
	fifo.replaces = variant->fifo_replaces;
	ASSERT_EQ(0, pthread_create(&to, NULL, other_main, &other));
	ASSERT_EQ(0, pthread_create(&tf, NULL, fifo_main, &fifo));

	if (getenv("VMC_STARVE_MS"))
		stall_ms = strtoul(getenv("VMC_STARVE_MS"), NULL, 10);
	t0 = seen_fifo = seen_other = now_ns();
	while (now_ns() - t0 < RUN_SECS * 1000000000ULL) {
		uint64_t t = now_ns();

		nanosleep(&tick, NULL);
		if (fifo.ops != last_fifo) {
			last_fifo = fifo.ops;
			seen_fifo = t;
		}
		if (other.ops != last_other) {
			last_other = other.ops;
			seen_other = t;
		}
		if (fifo.error || other.error)
			break;
		if (t - seen_fifo > stall_ms * 1000000ULL ||
		    t - seen_other > stall_ms * 1000000ULL) {
			stalled = true;
			break;
		}
	}
	stop = 1;
	pthread_join(tf, NULL);
	pthread_join(to, NULL);
	fprintf(stderr, "# real-time side: %llu ops, slowest %llu us; other side: %llu ops\n",
		(unsigned long long)fifo.ops,
		(unsigned long long)fifo.max_ns / 1000,
		(unsigned long long)other.ops);
	ASSERT_EQ(0, fifo.error) TH_LOG("real-time side: %s",
					strerror(-fifo.error));
	ASSERT_EQ(0, other.error) TH_LOG("other side: %s",
					 strerror(-other.error));
	ASSERT_FALSE(stalled)
		TH_LOG("a side made no progress for %d ms: real-time %llu ops, other %llu ops",
		       (int)stall_ms, (unsigned long long)fifo.ops,
		       (unsigned long long)other.ops);
	ASSERT_LT(0u, fifo.ops);
	ASSERT_LT(0u, other.ops);
	free(key);
}

TEST_HARNESS_MAIN

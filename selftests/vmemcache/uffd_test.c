// SPDX-License-Identifier: GPL-2.0
/*
 * User memory that never comes in: buffers registered with userfaultfd
 * whose faults the test leaves unserved, as a hung FUSE daemon would.
 *
 *  - a get, a put, a listing or an evict-prefix whose buffer is stalled
 *    holds up only itself: a sysfs write from elsewhere finishes at once,
 *    a reconfiguration that has to wait for the stalled get can be
 *    killed, and once the buffer is served the stalled call completes with
 *    the right result;
 *  - a put that cannot fit never evicts anything first, and a replacement
 *    never evicts the value it replaces: a failed PUT_REPLACE leaves the
 *    old value readable (entries being read into stalled buffers are the
 *    ones nothing can evict), and one larger than the pool less its
 *    failed media evicts nothing either (pmem pass only).
 */
#include "vmc_test.h"

#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

/* How long a call that must not wait may take. */
#define PROMPT_MS	3000

VMC_FIXTURE(uffd);

/* ------------------------------------------------------------ regions */

/*
 * Anonymous memory whose pages from @first on are registered with a
 * userfaultfd: touching them blocks until the test serves them.
 */
struct region {
	int uffd;
	uint8_t *addr;
	size_t pages;
	size_t first;
};

/* 0, -errno, or 1 when userfaultfd is not available (a SKIP). */
static int region_open(struct region *r, size_t pages, size_t first)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;

	memset(r, 0, sizeof(*r));
	r->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (r->uffd < 0)
		return 1;
	if (ioctl(r->uffd, UFFDIO_API, &api))
		return -errno;
	r->pages = pages;
	r->first = first;
	r->addr = vmc_map(pages, PROT_READ | PROT_WRITE);
	if (!r->addr)
		return -ENOMEM;
	memset(&reg, 0, sizeof(reg));
	reg.range.start = vmc_ptr(r->addr + first * VMC_PAGE);
	reg.range.len = (pages - first) * VMC_PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(r->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	return 0;
}

/* Open the region r as region_open() does, or SKIP without userfaultfd. */
#define REGION_OPEN_OR_SKIP(r, pages, first) do {			\
	int ret_ = region_open(r, pages, first);			\
									\
	if (ret_ == 1)							\
		SKIP(return, "userfaultfd: %s", strerror(errno));	\
	ASSERT_EQ(0, ret_);						\
} while (0)

/* Wait until something touches the region: 0, -ETIMEDOUT or -errno. */
static int region_wait_fault(struct region *r)
{
	struct pollfd pfd = { .fd = r->uffd, .events = POLLIN };
	struct uffd_msg msg;
	int ret = poll(&pfd, 1, 20000);

	if (ret != 1)
		return ret < 0 ? -errno : -ETIMEDOUT;
	if (read(r->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return -EIO;
	return msg.event == UFFD_EVENT_PAGEFAULT ? 0 : -EPROTO;
}

/* Serve the registered pages with @src's bytes, or with zeros if NULL. */
static int region_serve(struct region *r, const void *src)
{
	struct uffdio_copy copy;
	size_t len = (r->pages - r->first) * VMC_PAGE;
	uint8_t *zero = NULL;
	int ret = 0;

	if (!src) {
		zero = vmc_map(r->pages - r->first, PROT_READ | PROT_WRITE);
		if (!zero)
			return -ENOMEM;
		src = zero;
	}
	memset(&copy, 0, sizeof(copy));
	copy.dst = vmc_ptr(r->addr + r->first * VMC_PAGE);
	copy.src = vmc_ptr(src);
	copy.len = len;
	if (ioctl(r->uffd, UFFDIO_COPY, &copy))
		ret = -errno;
	if (zero)
		munmap(zero, len);
	return ret;
}

/* Stop stalling: pending and later faults are served with zero pages. */
static void region_release(struct region *r)
{
	if (r->uffd > 0)
		close(r->uffd);
	r->uffd = -1;
}

static void region_unmap(struct region *r)
{
	region_release(r);
	if (r->addr)
		munmap(r->addr, r->pages * VMC_PAGE);
	r->addr = NULL;
}

/* ------------------------------------------------------------ callers */

/* One ioctl run in a thread, which may stall in it. */
struct call {
	pthread_t thread;
	int fd;
	unsigned long cmd;
	void *arg;
	int ret;
};

static void *call_fn(void *arg)
{
	struct call *c = arg;

	c->ret = vmc_ioctl(c->fd, c->cmd, c->arg);
	return NULL;
}

static int call_start(struct call *c, int fd, unsigned long cmd, void *arg)
{
	c->fd = fd;
	c->cmd = cmd;
	c->arg = arg;
	return -pthread_create(&c->thread, NULL, call_fn, c);
}

static int call_join(struct call *c)
{
	pthread_join(c->thread, NULL);
	return c->ret;
}

/* A sysfs write from another thread, which must finish promptly. */
struct timed_write {
	pthread_t thread;
	const char *attr;
	const char *val;
	int ret;
	int done;
};

static void *timed_write_fn(void *arg)
{
	struct timed_write *w = arg;

	w->ret = vmc_sysfs_write(w->attr, w->val);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Write @val to @attr in a thread and wait up to PROMPT_MS for it: true
 * if it finished.  Join it with pthread_join() in any case, once whatever
 * it may wait for is released.
 */
static bool timed_write(struct timed_write *w, const char *attr,
			const char *val)
{
	int i;

	w->attr = attr;
	w->val = val;
	w->done = 0;
	if (pthread_create(&w->thread, NULL, timed_write_fn, w))
		return false;
	for (i = 0; i < PROMPT_MS / 10; i++) {
		if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
			return true;
		usleep(10000);
	}
	return false;
}

static uint32_t key_of(char *key, const char *prefix, unsigned int i)
{
	return (uint32_t)snprintf(key, 32, "%s%u", prefix, i);
}

/* ------------------------------------------------------------ stalls */

#define VLEN	(16U << 10)

/*
 * A get into a stalled buffer: reconfiguring (refused, the cache holds
 * the entry) and resetting the cache finish at once; once the buffer is
 * served the get completes with the whole value.
 */
TEST_F_TIMEOUT(uffd, get_stalled_holds_up_nothing, 60)
{
	struct timed_write w1, w2;
	struct region r;
	struct call c;
	struct vmemcache_get g;
	bool done1, done2;

	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k", 1, VLEN, 7, 0));
	REGION_OPEN_OR_SKIP(&r, VLEN / VMC_PAGE, 0);
	g = (struct vmemcache_get){
		.key = vmc_ptr("k"), .key_len = 1,
		.buf = vmc_ptr(r.addr), .buf_len = VLEN,
	};
	ASSERT_EQ(0, call_start(&c, self->fd, VMEMCACHE_IOC_GET, &g));
	ASSERT_EQ(0, region_wait_fault(&r));

	/* EXPECT, not ASSERT, until the get is released. */
	done1 = timed_write(&w1, "extent_size", "512");
	EXPECT_TRUE(done1)
		TH_LOG("a sysfs write waited for a get whose buffer is stalled");
	done2 = done1 && timed_write(&w2, "capacity", "2M");
	EXPECT_TRUE(done2);

	region_release(&r);
	ASSERT_EQ(0, call_join(&c));
	pthread_join(w1.thread, NULL);
	if (done1)
		pthread_join(w2.thread, NULL);
	ASSERT_TRUE(done1);
	ASSERT_TRUE(done2);
	ASSERT_EQ(-EBUSY, w1.ret);
	ASSERT_EQ(-EBUSY, w2.ret);
	ASSERT_EQ(VLEN, g.copied);
	ASSERT_EQ(VLEN, g.value_size);
	ASSERT_EQ(-1, vmc_check(r.addr, VLEN, 7));
	VMC_ASSERT_VALUE(self->fd, "k", 1, VLEN, 7);
	region_unmap(&r);
}

/*
 * A reconfiguration that must wait for a stalled get (the cache is empty
 * but the get holds the value it started to read) waits killably: a
 * process writing extent_size then dies of SIGKILL at once.
 */
TEST_F_TIMEOUT(uffd, reconfigure_waiting_for_stalled_get_is_killable, 60)
{
	struct region r;
	struct call c;
	struct vmemcache_get g;
	bool waited = false, reaped = false;
	pid_t pid;
	int i, status;

	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k", 1, VLEN, 8, 0));
	REGION_OPEN_OR_SKIP(&r, VLEN / VMC_PAGE, 0);
	g = (struct vmemcache_get){
		.key = vmc_ptr("k"), .key_len = 1,
		.buf = vmc_ptr(r.addr), .buf_len = VLEN,
	};
	ASSERT_EQ(0, call_start(&c, self->fd, VMEMCACHE_IOC_GET, &g));
	ASSERT_EQ(0, region_wait_fault(&r));
	EXPECT_EQ(0, vmc_evict(self->fd, "k", 1));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(vmc_sysfs_write("extent_size", "512") ? 1 : 0);
	/* It waits for the get (or is done already, which is fine too). */
	usleep(300000);
	if (waitpid(pid, &status, WNOHANG) == pid) {
		reaped = true;
	} else {
		waited = true;
		kill(pid, SIGKILL);
		for (i = 0; i < PROMPT_MS / 10 && !reaped; i++) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				reaped = true;
			else
				usleep(10000);
		}
	}
	EXPECT_TRUE(reaped)
		TH_LOG("a sysfs write waiting for a stalled get ignored SIGKILL");

	region_release(&r);
	ASSERT_EQ(0, call_join(&c));
	if (!reaped)
		waitpid(pid, &status, 0);
	ASSERT_TRUE(reaped);
	if (waited)
		ASSERT_TRUE(WIFSIGNALED(status));
	/* The get read the value it found, evicted or not. */
	ASSERT_EQ(VLEN, g.copied);
	ASSERT_EQ(-1, vmc_check(r.addr, VLEN, 8));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "k", 1, NULL));
	ASSERT_EQ(0, vmc_sysfs_write("extent_size", "512"));
	region_unmap(&r);
}

/*
 * A put whose value is stalled: the cache can be reconfigured meanwhile,
 * and the put stores the bytes served, in the new configuration.
 */
TEST_F_TIMEOUT(uffd, put_stalled_holds_up_nothing, 60)
{
	struct timed_write w;
	struct region r;
	struct call c;
	struct vmemcache_put p;
	uint8_t *src;
	bool done;
	uint64_t ext = 0;

	REGION_OPEN_OR_SKIP(&r, VLEN / VMC_PAGE, 0);
	src = vmc_map(VLEN / VMC_PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, src);
	vmc_fill(src, VLEN, 9);
	memset(&p, 0, sizeof(p));
	p.key = vmc_ptr("p");
	p.key_len = 1;
	p.value = vmc_ptr(r.addr);
	p.value_len = VLEN;
	ASSERT_EQ(0, call_start(&c, self->fd, VMEMCACHE_IOC_PUT, &p));
	ASSERT_EQ(0, region_wait_fault(&r));

	done = timed_write(&w, "extent_size", "512");
	EXPECT_TRUE(done)
		TH_LOG("a sysfs write waited for a put whose value is stalled");

	EXPECT_EQ(0, region_serve(&r, src));
	region_release(&r);
	ASSERT_EQ(0, call_join(&c));
	pthread_join(w.thread, NULL);
	ASSERT_TRUE(done);
	ASSERT_EQ(0, w.ret);
	ASSERT_EQ(0, vmc_sysfs_read_u64("extent_size", &ext));
	ASSERT_EQ(512u, ext);
	VMC_ASSERT_VALUE(self->fd, "p", 1, VLEN, 9);
	VMC_ASSERT_CONSISTENT();
	munmap(src, VLEN);
	region_unmap(&r);
}

#define NKEYS	8U

/* A listing into a stalled buffer; once served, it lists every key. */
TEST_F_TIMEOUT(uffd, list_stalled_holds_up_nothing, 60)
{
	struct vmemcache_list ls;
	struct timed_write w;
	struct region r;
	struct call c;
	char key[32];
	bool done;
	unsigned int i;

	for (i = 0; i < NKEYS; i++)
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key,
					     key_of(key, "l", i), 100, i, 0));
	REGION_OPEN_OR_SKIP(&r, 2, 0);
	memset(&ls, 0, sizeof(ls));
	ls.buf = vmc_ptr(r.addr);
	ls.buf_size = 2 * VMC_PAGE;
	ASSERT_EQ(0, call_start(&c, self->fd, VMEMCACHE_IOC_LIST, &ls));
	ASSERT_EQ(0, region_wait_fault(&r));

	done = timed_write(&w, "extent_size", "512");
	EXPECT_TRUE(done)
		TH_LOG("a sysfs write waited for a listing whose buffer is stalled");

	region_release(&r);
	ASSERT_EQ(0, call_join(&c));
	pthread_join(w.thread, NULL);
	ASSERT_TRUE(done);
	ASSERT_EQ(-EBUSY, w.ret);
	ASSERT_EQ(NKEYS, ls.count);
	ASSERT_EQ(0u, ls.cursor);
	ASSERT_EQ(NKEYS * VMEMCACHE_EVICTED_REC_SIZE(2), ls.used);
	for (i = 0; i < NKEYS; i++) {
		struct vmemcache_evicted_rec *rec = (void *)(r.addr + i *
					VMEMCACHE_EVICTED_REC_SIZE(2));

		ASSERT_EQ(2u, rec->key_len);
		ASSERT_EQ(100u, rec->value_size);
		ASSERT_EQ('l', ((char *)(rec + 1))[0]);
	}
	region_unmap(&r);
}

/*
 * An evict-prefix whose evicted log lands on a stalled page (its header
 * does not): the evictions are done and the cache can be reconfigured
 * while the records wait for the page; then they are all in the log.
 */
TEST_F_TIMEOUT(uffd, evict_log_stalled_holds_up_nothing, 60)
{
	struct vmemcache_evicted_log *hdr;
	struct vmemcache_evict ev;
	struct timed_write w;
	struct region r;
	struct call c;
	char key[32];
	uint8_t *rec;
	unsigned int i, seen = 0;
	bool done;

	for (i = 0; i < NKEYS; i++)
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key,
					     key_of(key, "e", i), 4096, i, 0));
	REGION_OPEN_OR_SKIP(&r, 2, 1);
	hdr = (void *)(r.addr + VMC_PAGE - sizeof(*hdr));
	memset(&ev, 0, sizeof(ev));
	ev.key = vmc_ptr("e");
	ev.key_len = 1;
	ev.flags = VMEMCACHE_EVICT_PREFIX;
	ev.evicted = vmc_ptr(hdr);
	ev.evicted_size = sizeof(*hdr) + VMC_PAGE;
	ASSERT_EQ(0, call_start(&c, self->fd, VMEMCACHE_IOC_EVICT, &ev));
	ASSERT_EQ(0, region_wait_fault(&r));

	done = timed_write(&w, "extent_size", "512");
	EXPECT_TRUE(done)
		TH_LOG("a sysfs write waited for an evicted log that is stalled");

	region_release(&r);
	ASSERT_EQ(0, call_join(&c));
	pthread_join(w.thread, NULL);
	ASSERT_TRUE(done);
	ASSERT_EQ(0, w.ret);
	ASSERT_EQ(NKEYS, hdr->count);
	ASSERT_EQ(0u, hdr->dropped);
	ASSERT_EQ(sizeof(*hdr) + NKEYS * VMEMCACHE_EVICTED_REC_SIZE(2),
		  hdr->used);
	rec = (uint8_t *)(hdr + 1);
	for (i = 0; i < NKEYS; i++) {
		struct vmemcache_evicted_rec *er = (void *)rec;
		const char *k = (const char *)(er + 1);

		ASSERT_EQ(2u, er->key_len);
		ASSERT_EQ(4096u, er->value_size);
		ASSERT_EQ('e', k[0]);
		seen |= 1U << (k[1] - '0');
		rec += VMEMCACHE_EVICTED_REC_SIZE(er->key_len);
	}
	ASSERT_EQ((1U << NKEYS) - 1, seen);
	region_unmap(&r);
}

/* ------------------------------------------------------------ failed puts */

#define KIB	1024ULL

/* A put of the pattern of @seed with an evicted log: 0 or -errno. */
static int put_logged(int fd, const char *key, uint64_t len, uint64_t seed,
		      uint32_t flags, void *log, size_t log_size)
{
	struct vmemcache_put p;
	uint8_t *val = malloc(len);
	int ret;

	if (!val)
		return -ENOMEM;
	vmc_fill(val, len, seed);
	memset(&p, 0, sizeof(p));
	p.key = vmc_ptr(key);
	p.key_len = strlen(key);
	p.value = vmc_ptr(val);
	p.value_len = len;
	p.flags = flags;
	p.evicted = vmc_ptr(log);
	p.evicted_size = log_size;
	ret = vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p);
	free(val);
	return ret;
}

/* Whether the evicted log names @key. */
static bool log_names(const void *log, const char *key)
{
	const struct vmemcache_evicted_log *hdr = log;
	const uint8_t *p = (const uint8_t *)(hdr + 1);
	uint32_t i;

	for (i = 0; i < hdr->count; i++) {
		const struct vmemcache_evicted_rec *rec = (const void *)p;

		if (rec->key_len == strlen(key) &&
		    !memcmp(rec + 1, key, rec->key_len))
			return true;
		p += VMEMCACHE_EVICTED_REC_SIZE(rec->key_len);
	}
	return false;
}

/* A get of @key stalled in its copy, which pins the entry. */
struct stalled_get {
	struct region r;
	struct call c;
	struct vmemcache_get g;
};

static int stalled_get_start(struct stalled_get *s, int fd, const char *key,
			     uint64_t len)
{
	int ret = region_open(&s->r, len / VMC_PAGE, 0);

	if (ret)
		return ret;
	memset(&s->g, 0, sizeof(s->g));
	s->g.key = vmc_ptr(key);
	s->g.key_len = strlen(key);
	s->g.buf = vmc_ptr(s->r.addr);
	s->g.buf_len = len;
	ret = call_start(&s->c, fd, VMEMCACHE_IOC_GET, &s->g);
	return ret ? ret : region_wait_fault(&s->r);
}

/*
 * The case: in a 1 MiB cache of K, A and B (300 KiB each), A and
 * B are being read into stalled buffers, so only K could be evicted; a
 * PUT_REPLACE of K with 500 KiB fails, and K keeps its old value.
 */
TEST_F_TIMEOUT(uffd, failed_replace_keeps_old_value, 60)
{
	struct stalled_get a, b;
	struct vmemcache_stats st0, st;
	uint8_t log[4096];
	int ret;

	VMC_CONFIG(1ULL << 20, 4096, "lru");
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "K", 1, 300 * KIB, 1, 0));
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "A", 1, 300 * KIB, 2, 0));
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "B", 1, 300 * KIB, 3, 0));
	ret = stalled_get_start(&a, self->fd, "A", 300 * KIB);
	if (ret == 1)
		SKIP(return, "userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, stalled_get_start(&b, self->fd, "B", 300 * KIB));
	ASSERT_EQ(0, vmc_stats(self->fd, &st0));

	EXPECT_EQ(-ENOSPC, put_logged(self->fd, "K", 500 * KIB, 4,
				      VMEMCACHE_PUT_REPLACE, log,
				      sizeof(log)));
	EXPECT_EQ(0u, ((struct vmemcache_evicted_log *)log)->count);
	EXPECT_EQ(0, vmc_get_check(self->fd, "K", 1, 300 * KIB, 1))
		TH_LOG("a failed replace lost the value it was replacing");
	EXPECT_EQ(0, vmc_stats(self->fd, &st));
	EXPECT_EQ(st0.evictions, st.evictions);
	EXPECT_EQ(3u, st.entries);

	region_release(&a.r);
	region_release(&b.r);
	ASSERT_EQ(0, call_join(&a.c));
	ASSERT_EQ(0, call_join(&b.c));
	ASSERT_EQ(-1, vmc_check(a.r.addr, 300 * KIB, 2));
	ASSERT_EQ(-1, vmc_check(b.r.addr, 300 * KIB, 3));
	region_unmap(&a.r);
	region_unmap(&b.r);
	VMC_ASSERT_VALUE(self->fd, "K", 1, 300 * KIB, 1);
	/* Once A and B are free to go, the replacement fits. */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "K", 1, 500 * KIB, 4,
				     VMEMCACHE_PUT_REPLACE));
	VMC_ASSERT_VALUE(self->fd, "K", 1, 500 * KIB, 4);
	VMC_ASSERT_CONSISTENT();
}

/*
 * A replacement evicts other entries, never the one it replaces, even
 * when that one is the least recently used.
 */
TEST_F(uffd, replace_never_evicts_itself)
{
	struct vmemcache_evicted_log *hdr;
	uint8_t log[4096];
	int fd = self->fd;

	VMC_CONFIG(1ULL << 20, 4096, "lru");
	ASSERT_EQ(0, vmc_put_pattern(fd, "K", 1, 300 * KIB, 1, 0));
	ASSERT_EQ(0, vmc_put_pattern(fd, "A", 1, 300 * KIB, 2, 0));
	ASSERT_EQ(0, vmc_put_pattern(fd, "B", 1, 300 * KIB, 3, 0));
	ASSERT_EQ(0, put_logged(fd, "K", 500 * KIB, 4, VMEMCACHE_PUT_REPLACE,
				log, sizeof(log)));
	hdr = (void *)log;
	EXPECT_FALSE(log_names(log, "K"))
		TH_LOG("the replacement evicted the entry it replaces");
	EXPECT_EQ(2u, hdr->count);
	EXPECT_TRUE(log_names(log, "A"));
	EXPECT_TRUE(log_names(log, "B"));
	VMC_ASSERT_VALUE(fd, "K", 1, 500 * KIB, 4);
	VMC_ASSERT_CONSISTENT();
}

/*
 * A replacement that cannot fit beside the value it replaces fails with
 * ENOSPC before evicting anything, and the old value stays.
 */
TEST_F(uffd, replace_that_cannot_fit_evicts_nothing)
{
	struct vmemcache_stats st0, st;
	int fd = self->fd;

	VMC_CONFIG(1ULL << 20, 4096, "lru");
	ASSERT_EQ(0, vmc_put_pattern(fd, "K", 1, 400 * KIB, 1, 0));
	ASSERT_EQ(0, vmc_put_pattern(fd, "A", 1, 300 * KIB, 2, 0));
	ASSERT_EQ(0, vmc_stats(fd, &st0));
	EXPECT_EQ(-ENOSPC, vmc_put_pattern(fd, "K", 1, 700 * KIB, 3,
					   VMEMCACHE_PUT_REPLACE));
	EXPECT_EQ(0, vmc_stats(fd, &st));
	EXPECT_EQ(st0.evictions, st.evictions)
		TH_LOG("a put bound to fail evicted entries");
	EXPECT_EQ(0, vmc_get_check(fd, "A", 1, 300 * KIB, 2));
	EXPECT_EQ(0, vmc_get_check(fd, "K", 1, 400 * KIB, 1));
	/* Without K, 700 KiB fit. */
	ASSERT_EQ(0, vmc_evict(fd, "K", 1));
	ASSERT_EQ(0, vmc_put_pattern(fd, "K", 1, 700 * KIB, 3, 0));
	VMC_ASSERT_VALUE(fd, "K", 1, 700 * KIB, 3);
}

/*
 * A put as large as the pool, when part of the pool is failed media, can
 * never fit: it fails with ENOSPC without evicting anything first.
 */
TEST_F(uffd, put_larger_than_usable_pool_evicts_nothing)
{
	struct vmemcache_stats st0, st;
	int fd = self->fd;

	if (strcmp(vmc_backing(), "/dev/pmem0"))
		SKIP(return, "failed media needs the pool on /dev/pmem0");
	VMC_CONFIG(1ULL << 20, 4096, "lru");
	ASSERT_EQ(0, vmc_put_pattern(fd, "A", 1, 300 * KIB, 1, 0));
	ASSERT_EQ(0, vmc_put_pattern(fd, "B", 1, 300 * KIB, 2, 0));
	/* A page of free space fails (A and B take the first 600 KiB). */
	ASSERT_EQ(0, vmc_hard_offline(200 * VMC_PAGE));
	ASSERT_EQ(0, vmc_stats(fd, &st0));
	ASSERT_EQ(VMC_PAGE, st0.poisoned);
	ASSERT_EQ(2u, st0.entries);
	EXPECT_EQ(-ENOSPC, vmc_put_pattern(fd, "C", 1, 1ULL << 20, 3, 0));
	EXPECT_EQ(-ENOSPC, vmc_put_pattern(fd, "C", 1,
					   (1ULL << 20) - VMC_PAGE + 1, 3, 0));
	EXPECT_EQ(0, vmc_stats(fd, &st));
	EXPECT_EQ(st0.evictions, st.evictions)
		TH_LOG("a put bound to fail evicted entries");
	VMC_ASSERT_VALUE(fd, "A", 1, 300 * KIB, 1);
	VMC_ASSERT_VALUE(fd, "B", 1, 300 * KIB, 2);
	/* What the failed page leaves does fit. */
	ASSERT_EQ(0, vmc_put_pattern(fd, "C", 1, (1ULL << 20) - VMC_PAGE, 3,
				     0));
	VMC_ASSERT_VALUE(fd, "C", 1, (1ULL << 20) - VMC_PAGE, 3);
}

TEST_HARNESS_MAIN

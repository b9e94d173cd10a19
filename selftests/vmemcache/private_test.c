// SPDX-License-Identifier: GPL-2.0
/*
 * Private caches (VMEMCACHE_IOC_CREATE): the argument checks, the
 * operations on the new descriptor and their isolation from the shared
 * cache, the lifetime (last close frees, fork and dup share), many caches
 * at once, the memory cgroup charge of a DRAM pool, the private_limit
 * bound, a private cache on the DAX device (pmem pass only), and the
 * evicted-entries log of puts and evicts.
 */
#include "vmc_test.h"

#include <pthread.h>
#include <sys/wait.h>

#define PMEM		"/dev/pmem0"
#define CGROOT		"/sys/fs/cgroup"
#define CGTEST		CGROOT "/vmc_private_test"

/* The key bytes that follow a record of the evicted log. */
#define REC_KEY(rec)	((const uint8_t *)((rec) + 1))

static int vmc_create(int fd, uint64_t size, uint32_t extent, uint32_t policy,
		      uint32_t flags, int backing_fd)
{
	struct vmemcache_create cr = {
		.size = size,
		.extent_size = extent,
		.policy = policy,
		.flags = flags,
		.backing_fd = backing_fd,
	};
	int ret = ioctl(fd, VMEMCACHE_IOC_CREATE, &cr);

	return ret < 0 ? -errno : ret;
}

static int vmc_create_dram(int fd, uint64_t size)
{
	return vmc_create(fd, size, 256, VMEMCACHE_POLICY_LRU,
			  VMEMCACHE_CREATE_CLOEXEC, 0);
}

static uint64_t sysfs_u64(struct __test_metadata *_metadata, const char *attr)
{
	uint64_t v = 0;

	EXPECT_EQ(0, vmc_sysfs_read_u64(attr, &v)) TH_LOG("%s", attr);
	return v;
}

VMC_FIXTURE(private)

TEST_F(private, version_reports_features)
{
	struct vmemcache_version v;

	ASSERT_EQ(0, vmc_version(self->fd, &v));
	ASSERT_LE(2u, v.api_version);
	ASSERT_TRUE(!!(v.features & VMEMCACHE_FEAT_PRIVATE));
	ASSERT_TRUE(!!(v.features & VMEMCACHE_FEAT_EVICTED_LOG));
	ASSERT_TRUE(!!(v.features & VMEMCACHE_FEAT_EVICT_PREFIX));
	ASSERT_TRUE(!!(v.features & VMEMCACHE_FEAT_LIST));
	ASSERT_TRUE(!!(v.features & VMEMCACHE_FEAT_BATCH));
}

TEST_F(private, bad_arguments)
{
	struct vmemcache_create cr;
	uint64_t caches = sysfs_u64(_metadata, "private_caches");
	int fd;

	ASSERT_EQ(-EINVAL, vmc_create(self->fd, (1 << 20) - 1, 256,
				      VMEMCACHE_POLICY_LRU, 0, 0));
	ASSERT_EQ(-EINVAL, vmc_create(self->fd, 0, 256, VMEMCACHE_POLICY_LRU,
				      0, 0));
	ASSERT_EQ(-EINVAL, vmc_create(self->fd, 1 << 20, 32,
				      VMEMCACHE_POLICY_LRU, 0, 0));
	ASSERT_EQ(-EINVAL, vmc_create(self->fd, 1 << 20, 257,
				      VMEMCACHE_POLICY_LRU, 0, 0));
	ASSERT_EQ(-EINVAL, vmc_create(self->fd, 1 << 20, 2 << 20,
				      VMEMCACHE_POLICY_LRU, 0, 0));
	ASSERT_EQ(-EINVAL, vmc_create(self->fd, 1 << 20, 256, 2, 0, 0));
	ASSERT_EQ(-EINVAL, vmc_create(self->fd, 1 << 20, 256,
				      VMEMCACHE_POLICY_LRU, 1u << 31, 0));
	/* backing_fd without VMEMCACHE_CREATE_DAX */
	ASSERT_EQ(-EINVAL, vmc_create(self->fd, 1 << 20, 256,
				      VMEMCACHE_POLICY_LRU, 0, 3));
	/* a backing descriptor that is not open, or not a block device */
	ASSERT_EQ(-EBADF, vmc_create(self->fd, 0, 256, VMEMCACHE_POLICY_LRU,
				     VMEMCACHE_CREATE_DAX, 1000));
	ASSERT_EQ(-ENOTBLK, vmc_create(self->fd, 0, 256, VMEMCACHE_POLICY_LRU,
				       VMEMCACHE_CREATE_DAX, self->fd));
	memset(&cr, 0, sizeof(cr));
	cr.size = 1 << 20;
	cr.extent_size = 256;
	cr.reserved[2] = 1;
	ASSERT_EQ(-1, ioctl(self->fd, VMEMCACHE_IOC_CREATE, &cr));
	ASSERT_EQ(EINVAL, errno);
	/* Nothing was left behind. */
	ASSERT_EQ(caches, sysfs_u64(_metadata, "private_caches"));

	/* CREATE is a command of the device only. */
	fd = vmc_create_dram(self->fd, 1 << 20);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-ENOTTY, vmc_create_dram(fd, 1 << 20));
	close(fd);
}

TEST_F(private, operations_and_isolation)
{
	struct vmemcache_stats st, shared0, shared;
	uint64_t size = 0;
	char buf[16];
	int fd;

	ASSERT_EQ(0, vmc_stats(self->fd, &shared0));
	fd = vmc_create(self->fd, (2 << 20) + 1, 512, VMEMCACHE_POLICY_LRU,
			VMEMCACHE_CREATE_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);

	ASSERT_EQ(0, vmc_stats(fd, &st));
	VMC_ASSERT_FRESH_STATS(st, (2 << 20) + VMC_PAGE, 512u);

	ASSERT_EQ(0, vmc_put(fd, "k", 1, "private", 7, 0));
	ASSERT_EQ(-EEXIST, vmc_put(fd, "k", 1, "x", 1, 0));
	ASSERT_EQ(0, vmc_put(fd, "k", 1, "replaced", 8, VMEMCACHE_PUT_REPLACE));
	ASSERT_EQ(0, vmc_get(fd, "k", 1, buf, sizeof(buf), 0, NULL, &size));
	ASSERT_EQ(8u, size);
	ASSERT_EQ(0, memcmp(buf, "replaced", 8));
	ASSERT_EQ(0, vmc_exists(fd, "k", 1, &size));
	ASSERT_EQ(-ENOENT, vmc_get(fd, "nope", 4, buf, sizeof(buf), 0, NULL,
				   NULL));
	/* The shared cache does not see it, and the other way round. */
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "k", 1, NULL));
	ASSERT_EQ(0, vmc_put(self->fd, "s", 1, "shared", 6, 0));
	ASSERT_EQ(-ENOENT, vmc_exists(fd, "s", 1, NULL));

	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(2u, st.puts);
	ASSERT_EQ(2u, st.gets);
	ASSERT_EQ(1u, st.hits);
	ASSERT_EQ(1u, st.misses);
	ASSERT_EQ(1u, st.entries);
	ASSERT_EQ(512u, st.pool_used);

	ASSERT_EQ(0, vmc_evict(fd, "k", 1));
	ASSERT_EQ(-ENOENT, vmc_evict(fd, "k", 1));
	ASSERT_EQ(-ESRCH, vmc_evict_lru(fd));
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(1u, st.evictions);
	ASSERT_EQ(0u, st.entries);

	/* The shared cache's counters moved only by its own put. */
	ASSERT_EQ(0, vmc_stats(self->fd, &shared));
	ASSERT_EQ(shared0.puts + 1, shared.puts);
	ASSERT_EQ(shared0.gets, shared.gets);
	close(fd);
}

TEST_F(private, policy_none_and_lru)
{
	static uint8_t val[256 << 10];
	char key[32];
	int none, lru, i;

	none = vmc_create(self->fd, 1 << 20, 256, VMEMCACHE_POLICY_NONE, 0, 0);
	ASSERT_LE(0, none);
	lru = vmc_create(self->fd, 1 << 20, 256, VMEMCACHE_POLICY_LRU, 0, 0);
	ASSERT_LE(0, lru);
	for (i = 0; i < 4; i++) {
		vmc_key(key, sizeof(key), "v", i);
		vmc_fill(val, sizeof(val), i);
		ASSERT_EQ(0, vmc_put(none, key, strlen(key), val, sizeof(val), 0));
		ASSERT_EQ(0, vmc_put(lru, key, strlen(key), val, sizeof(val), 0));
	}
	ASSERT_EQ(-ENOSPC, vmc_put(none, "more", 4, val, sizeof(val), 0));
	ASSERT_EQ(-ESRCH, vmc_evict_lru(none));
	ASSERT_EQ(0, vmc_put(lru, "more", 4, val, sizeof(val), 0));
	ASSERT_EQ(-ENOENT, vmc_exists(lru, "v0", 2, NULL));
	/* A value larger than the pool never fits. */
	ASSERT_EQ(-ENOSPC, vmc_put(lru, "huge", 4, val, (1 << 20) + 1, 0));
	close(none);
	close(lru);
}

TEST_F(private, lifetime_dup_and_fork)
{
	uint64_t caches0 = sysfs_u64(_metadata, "private_caches");
	uint64_t used0 = sysfs_u64(_metadata, "private_used");
	int fd, fd2, status;
	pid_t pid;

	fd = vmc_create(self->fd, 4 << 20, 256, VMEMCACHE_POLICY_LRU, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(caches0 + 1, sysfs_u64(_metadata, "private_caches"));
	ASSERT_EQ(used0 + (4 << 20), sysfs_u64(_metadata, "private_used"));
	ASSERT_EQ(0, vmc_put(fd, "parent", 6, "p", 1, 0));

	/* The child inherits the descriptor: the same cache. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c = 0;

		if (vmc_get(fd, "parent", 6, &c, 1, 0, NULL, NULL) || c != 'p')
			_exit(1);
		if (vmc_put(fd, "child", 5, "c", 1, 0))
			_exit(2);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, vmc_exists(fd, "child", 5, NULL));

	/* The cache lives while any descriptor is open. */
	fd2 = dup(fd);
	ASSERT_LE(0, fd2);
	close(fd);
	ASSERT_EQ(0, vmc_exists(fd2, "child", 5, NULL));
	ASSERT_EQ(caches0 + 1, sysfs_u64(_metadata, "private_caches"));
	close(fd2);
	ASSERT_EQ(caches0, sysfs_u64(_metadata, "private_caches"));
	ASSERT_EQ(used0, sysfs_u64(_metadata, "private_used"));
}

TEST_F(private, many_at_once)
{
	enum { N = 64 };
	int fds[N], i;
	char key[16];
	uint64_t id;

	for (i = 0; i < N; i++) {
		fds[i] = vmc_create_dram(self->fd, 1 << 20);
		ASSERT_LE(0, fds[i]) TH_LOG("cache %d: %s", i, strerror(-fds[i]));
	}
	for (i = 0; i < N; i++) {
		id = (uint64_t)i;
		ASSERT_EQ(0, vmc_put(fds[i], "id", 2, &id, sizeof(id), 0));
		vmc_key(key, sizeof(key), "k", i);
		ASSERT_EQ(0, vmc_put(fds[i], key, strlen(key), "v", 1, 0));
	}
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, vmc_get(fds[i], "id", 2, &id, sizeof(id), 0, NULL,
				     NULL));
		ASSERT_EQ((uint64_t)i, id);
		vmc_key(key, sizeof(key), "k", i);
		ASSERT_EQ(0, vmc_exists(fds[i], key, strlen(key), NULL));
		ASSERT_EQ(-ENOENT, vmc_exists(fds[(i + 1) % N], key,
					      strlen(key), NULL));
	}
	for (i = 0; i < N; i++)
		close(fds[i]);
}

TEST_F(private, limit)
{
	uint64_t limit0 = sysfs_u64(_metadata, "private_limit");
	uint64_t used0 = sysfs_u64(_metadata, "private_used");
	int a, b;

	ASSERT_LT(0u, limit0);
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_limit", used0 + (3 << 20)));
	a = vmc_create_dram(self->fd, 2 << 20);
	ASSERT_LE(0, a);
	ASSERT_EQ(-EDQUOT, vmc_create_dram(self->fd, 2 << 20));
	b = vmc_create_dram(self->fd, 1 << 20);
	ASSERT_LE(0, b);
	ASSERT_EQ(-EDQUOT, vmc_create_dram(self->fd, 1 << 20));
	close(a);
	a = vmc_create_dram(self->fd, 2 << 20);
	ASSERT_LE(0, a);
	close(a);
	close(b);
	/* 0 lifts the bound. */
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_limit", 0));
	a = vmc_create_dram(self->fd, 8 << 20);
	ASSERT_LE(0, a);
	close(a);
	ASSERT_EQ(-EINVAL, vmc_sysfs_write("private_limit", "lots"));
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_limit", limit0));
	ASSERT_EQ(used0, sysfs_u64(_metadata, "private_used"));
}

/* Caches per user: another user hits the bound, root does not. */
TEST_F(private, per_user_limit)
{
	uint64_t max0 = sysfs_u64(_metadata, "private_per_user");
	int status, fds[3], i;
	pid_t pid;

	ASSERT_EQ(1024u, max0);
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_per_user", 2));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int a, b;

		/* The device stays open across the change of user. */
		if (setgid(4242) || setuid(4242))
			_exit(1);
		a = vmc_create_dram(self->fd, 1 << 20);
		b = vmc_create_dram(self->fd, 1 << 20);
		if (a < 0 || b < 0)
			_exit(2);
		if (vmc_create_dram(self->fd, 1 << 20) != -EDQUOT)
			_exit(3);
		close(a);
		a = vmc_create_dram(self->fd, 1 << 20);	/* room again */
		_exit(a < 0 ? 4 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* root counts on its own */
	for (i = 0; i < 3; i++) {
		fds[i] = i < 2 ? vmc_create_dram(self->fd, 1 << 20) : -1;
		if (i < 2)
			ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(-EDQUOT, vmc_create_dram(self->fd, 1 << 20));
	close(fds[0]);
	close(fds[1]);
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_per_user", 0));	/* none */
	for (i = 0; i < 3; i++) {
		fds[i] = vmc_create_dram(self->fd, 1 << 20);
		ASSERT_LE(0, fds[i]);
	}
	for (i = 0; i < 3; i++)
		close(fds[i]);
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_per_user", max0));
}

static int cg_write(const char *file, const char *val)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", CGTEST, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int64_t cg_read(const char *file)
{
	char path[256], buf[64];
	int64_t v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", CGTEST, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtoll(buf, NULL, 10);
	fclose(f);
	return v;
}

/*
 * A child in its own memory cgroup creates a 64 MiB cache: memory.current
 * grows by the pool, and shrinks by most of it when the cache is closed; with
 * memory.max below the pool the creation fails with ENOMEM.
 */
TEST_F(private, memcg_charge)
{
	char pidbuf[32];
	int pipefd[2], status;
	pid_t pid;
	int64_t before, during, after;
	char c;

	if (access(CGROOT "/cgroup.controllers", F_OK))
		SKIP(return, "no cgroup2 at " CGROOT);
	rmdir(CGTEST);
	ASSERT_EQ(0, mkdir(CGTEST, 0755)) TH_LOG("mkdir: %s", strerror(errno));
	if (access(CGTEST "/memory.current", F_OK)) {
		/* Enable the memory controller for the children of the root. */
		int fd = open(CGROOT "/cgroup.subtree_control", O_WRONLY);

		ASSERT_LE(0, fd);
		ASSERT_LT(0, write(fd, "+memory", 7)) TH_LOG("%s", strerror(errno));
		close(fd);
	}
	ASSERT_EQ(0, access(CGTEST "/memory.current", F_OK));
	ASSERT_EQ(0, pipe(pipefd));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		close(pipefd[0]);
		snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
		if (cg_write("cgroup.procs", pidbuf))
			_exit(1);
		if (write(pipefd[1], "1", 1) != 1)	/* moved */
			_exit(2);
		usleep(300000);
		fd = vmc_create_dram(self->fd, 64 << 20);
		if (fd < 0)
			_exit(3);
		if (write(pipefd[1], "2", 1) != 1)	/* created */
			_exit(4);
		usleep(300000);
		close(fd);
		if (write(pipefd[1], "3", 1) != 1)	/* closed */
			_exit(5);
		/* Below the pool: the pool cannot be charged. */
		if (cg_write("memory.max", "16M"))
			_exit(6);
		fd = vmc_create_dram(self->fd, 64 << 20);
		_exit(fd == -ENOMEM ? 0 : 7);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	usleep(100000);
	before = cg_read("memory.current");
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	during = cg_read("memory.current");
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	after = cg_read("memory.current");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(pipefd[0]);
	TH_LOG("memory.current: %lld before, %lld with the cache, %lld after",
	       (long long)before, (long long)during, (long long)after);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The pool alone is 64 MiB (other charges come and go a little). */
	EXPECT_LE(64 << 20, during);
	EXPECT_LE(before + (63 << 20), during);
	/* Most of it is gone (slab and page frees may lag a little). */
	EXPECT_GT(during - (48 << 20), after);
	rmdir(CGTEST);
}

/* Put with a log buffer: the entries evicted to make room, in order. */
TEST_F(private, evicted_log)
{
	static uint8_t val[300 << 10];
	uint64_t logbuf[512];
	struct vmemcache_evicted_log *log = (void *)logbuf;
	struct vmemcache_evicted_rec *rec;
	struct vmemcache_put p;
	struct vmemcache_evict ev;
	uint8_t *at;
	int fd;

	ASSERT_EQ(0, vmc_pin_one_cpu());
	fd = vmc_create(self->fd, 1 << 20, 256, VMEMCACHE_POLICY_LRU, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_put(fd, "first", 5, val, 300 << 10, 0));
	ASSERT_EQ(0, vmc_put(fd, "second", 6, val, 300 << 10, 0));
	ASSERT_EQ(0, vmc_put(fd, "third", 5, val, 300 << 10, 0));

	/* Room for the fourth needs the first out. */
	memset(&p, 0, sizeof(p));
	p.key = vmc_ptr("fourth");
	p.key_len = 6;
	p.value = vmc_ptr(val);
	p.value_len = 300 << 10;
	p.evicted = vmc_ptr(log);
	p.evicted_size = sizeof(logbuf);
	memset(logbuf, 0xa5, sizeof(logbuf));
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p));
	ASSERT_EQ(1u, log->count);
	ASSERT_EQ(0u, log->flags);
	ASSERT_EQ(0u, log->dropped);
	rec = (void *)(log + 1);
	ASSERT_EQ(300u << 10, rec->value_size);
	ASSERT_EQ(5u, rec->key_len);
	ASSERT_EQ(0, memcmp(REC_KEY(rec), "first", 5));
	ASSERT_EQ(0, REC_KEY(rec)[5]);	/* padding is zeroed */
	ASSERT_EQ(sizeof(*log) + VMEMCACHE_EVICTED_REC_SIZE(5), log->used);

	/* A put that evicts nothing writes an empty log. */
	p.key = vmc_ptr("small");
	p.key_len = 5;
	p.value_len = 10;
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p));
	ASSERT_EQ(0u, log->count);
	ASSERT_EQ(sizeof(*log), log->used);

	/* A log with room for the header only: the eviction is counted. */
	p.key = vmc_ptr("fifth");
	p.key_len = 5;
	p.value_len = 300 << 10;
	p.evicted_size = sizeof(*log);
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p));
	ASSERT_EQ(0u, log->count);
	ASSERT_EQ(VMEMCACHE_EVICTED_TRUNCATED, log->flags);
	ASSERT_EQ(1u, log->dropped);
	ASSERT_EQ(-ENOENT, vmc_exists(fd, "second", 6, NULL));

	/* Bad logs fail before anything changes. */
	p.key = vmc_ptr("sixth");
	p.key_len = 5;
	p.evicted_size = sizeof(*log) - 1;
	ASSERT_EQ(-EINVAL, vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p));
	p.evicted = vmc_ptr(vmc_unmapped());
	p.evicted_size = sizeof(logbuf);
	ASSERT_EQ(-EFAULT, vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p));
	p.evicted = 0;
	ASSERT_EQ(-EINVAL, vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p));
	ASSERT_EQ(0, vmc_exists(fd, "third", 5, NULL));
	ASSERT_EQ(-ENOENT, vmc_exists(fd, "sixth", 5, NULL));

	/* Evict by key and evict the LRU entry report theirs. */
	memset(&ev, 0, sizeof(ev));
	ev.key = vmc_ptr("small");
	ev.key_len = 5;
	ev.evicted = vmc_ptr(log);
	ev.evicted_size = sizeof(logbuf);
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_EVICT, &ev));
	ASSERT_EQ(1u, log->count);
	ASSERT_EQ(10u, rec->value_size);
	ASSERT_EQ(0, memcmp(REC_KEY(rec), "small", 5));
	ev.key = 0;
	ev.key_len = 0;
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_EVICT, &ev));
	ASSERT_EQ(1u, log->count);
	ASSERT_EQ(5u, rec->key_len);
	ASSERT_EQ(0, memcmp(REC_KEY(rec), "third", 5));
	at = (uint8_t *)rec + VMEMCACHE_EVICTED_REC_SIZE(5);
	ASSERT_EQ((uint8_t *)log + log->used, at);
	close(fd);

	/* The shared cache reports the same way. */
	ASSERT_EQ(0, vmc_put(self->fd, "shared", 6, "v", 1, 0));
	ev.key = vmc_ptr("shared");
	ev.key_len = 6;
	ASSERT_EQ(0, vmc_ioctl(self->fd, VMEMCACHE_IOC_EVICT, &ev));
	ASSERT_EQ(1u, log->count);
	ASSERT_EQ(1u, rec->value_size);
}

/* Evict every key with a prefix; the log lists them. */
TEST_F(private, evict_prefix)
{
	uint64_t logbuf[1024];
	struct vmemcache_evicted_log *log = (void *)logbuf;
	struct vmemcache_evict ev;
	struct vmemcache_stats st;
	char key[32];
	int fd, i;

	fd = vmc_create_dram(self->fd, 4 << 20);
	ASSERT_LE(0, fd);
	for (i = 0; i < 300; i++) {
		vmc_key(key, sizeof(key), i % 3 ? "user:" : "session:", i);
		ASSERT_EQ(0, vmc_put(fd, key, strlen(key), "v", 1, 0));
	}
	memset(&ev, 0, sizeof(ev));
	ev.key = vmc_ptr("session:");
	ev.key_len = 8;
	ev.flags = VMEMCACHE_EVICT_PREFIX;
	ev.evicted = vmc_ptr(log);
	ev.evicted_size = sizeof(logbuf);
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_EVICT, &ev));
	ASSERT_EQ(100u, log->count + log->dropped);
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(200u, st.entries);
	ASSERT_EQ(100u, st.evictions);
	for (i = 0; i < 300; i++) {
		vmc_key(key, sizeof(key), i % 3 ? "user:" : "session:", i);
		ASSERT_EQ(i % 3 ? 0 : -ENOENT,
			  vmc_exists(fd, key, strlen(key), NULL));
	}
	/* Nothing left with the prefix: ENOENT; a whole key is a prefix too. */
	ASSERT_EQ(-ENOENT, vmc_ioctl(fd, VMEMCACHE_IOC_EVICT, &ev));
	ev.key = vmc_ptr("user:1");
	ev.key_len = 6;
	ev.evicted = 0;
	ev.evicted_size = 0;
	/* user:1, user:10..user:199 not divisible by 3 */
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_EVICT, &ev));
	ASSERT_EQ(-ENOENT, vmc_exists(fd, "user:1", 6, NULL));
	ASSERT_EQ(-ENOENT, vmc_exists(fd, "user:112", 8, NULL));
	ASSERT_EQ(0, vmc_exists(fd, "user:2", 6, NULL));
	/* An empty prefix is not "everything". */
	ev.key = 0;
	ev.key_len = 0;
	ASSERT_EQ(-EINVAL, vmc_ioctl(fd, VMEMCACHE_IOC_EVICT, &ev));
	close(fd);
}

static int vmc_evict_prefix_raw(int fd, const char *prefix)
{
	struct vmemcache_evict ev = {
		.key = vmc_ptr(prefix),
		.key_len = strlen(prefix),
		.flags = VMEMCACHE_EVICT_PREFIX,
	};

	return vmc_ioctl(fd, VMEMCACHE_IOC_EVICT, &ev);
}

static int vmc_list(int fd, const char *prefix, void *buf, uint64_t size,
		    uint64_t *cursor, uint32_t *count)
{
	struct vmemcache_list ls = {
		.prefix = vmc_ptr(prefix),
		.prefix_len = prefix ? strlen(prefix) : 0,
		.buf = vmc_ptr(buf),
		.buf_size = size,
		.cursor = *cursor,
	};
	int ret = vmc_ioctl(fd, VMEMCACHE_IOC_LIST, &ls);

	if (!ret) {
		*cursor = ls.cursor;
		*count = ls.count;
	}
	return ret;
}

/* List every key (or those with a prefix) in small pages, each once. */
TEST_F(private, list)
{
	enum { N = 500 };
	static uint8_t seen[N];
	uint64_t buf[64], cursor = 0, size;
	struct vmemcache_evicted_rec *rec;
	struct vmemcache_stats st0, st;
	uint32_t count, total = 0, calls = 0, i;
	char key[32];
	uint8_t *p;
	int fd, k;

	fd = vmc_create_dram(self->fd, 4 << 20);
	ASSERT_LE(0, fd);
	for (k = 0; k < N; k++) {
		vmc_key(key, sizeof(key), k % 2 ? "odd-" : "even-", k);
		ASSERT_EQ(0, vmc_put(fd, key, strlen(key), seen, k + 1, 0));
	}
	ASSERT_EQ(0, vmc_stats(fd, &st0));
	/*
	 * Other keys come and go between the calls, enough to make the
	 * index grow: the keys there all along are listed exactly once.
	 */
	do {
		ASSERT_EQ(0, vmc_list(fd, NULL, buf, sizeof(buf), &cursor,
				      &count));
		p = (uint8_t *)buf;
		for (i = 0; i < count; i++) {
			rec = (void *)p;
			memcpy(key, REC_KEY(rec), rec->key_len);
			key[rec->key_len] = '\0';
			p += VMEMCACHE_EVICTED_REC_SIZE(rec->key_len);
			if (!strncmp(key, "other", 5))
				continue;
			k = atoi(strchr(key, '-') + 1);
			ASSERT_EQ((uint64_t)k + 1, rec->value_size);
			ASSERT_EQ(0, seen[k]++) TH_LOG("%s listed twice", key);
			total++;
		}
		for (k = 0; k < 40; k++) {
			vmc_key(key, sizeof(key), "other", calls * 40 + k);
			ASSERT_EQ(0, vmc_put(fd, key, strlen(key), "o", 1, 0));
		}
		if (calls) {
			vmc_key(key, sizeof(key), "other", (calls - 1) * 40);
			ASSERT_EQ(0, vmc_evict(fd, key, strlen(key)));
		}
		calls++;
	} while (cursor);
	ASSERT_EQ((uint32_t)N, total);
	ASSERT_LT(1u, calls);
	ASSERT_EQ(0, vmc_evict_prefix_raw(fd, "other"));
	/* Listing is not using: no get counter moved. */
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(st0.gets, st.gets);
	ASSERT_EQ(st0.hits, st.hits);

	/* With a prefix, in one bufferful. */
	total = 0;
	cursor = 0;
	do {
		static uint64_t big[2048];

		ASSERT_EQ(0, vmc_list(fd, "odd-", big, sizeof(big), &cursor,
				      &count));
		for (i = 0, p = (uint8_t *)big; i < count; i++) {
			rec = (void *)p;
			ASSERT_EQ(0, memcmp(REC_KEY(rec), "odd-", 4));
			p += VMEMCACHE_EVICTED_REC_SIZE(rec->key_len);
		}
		total += count;
	} while (cursor);
	ASSERT_EQ((uint32_t)N / 2, total);
	cursor = 0;
	ASSERT_EQ(0, vmc_list(fd, "none-", buf, sizeof(buf), &cursor, &count));
	ASSERT_EQ(0u, count);
	ASSERT_EQ(0u, cursor);

	/* A buffer too small for one record; bad arguments. */
	size = sizeof(struct vmemcache_evicted_rec);	/* no key fits */
	cursor = 0;
	ASSERT_EQ(-EOVERFLOW, vmc_list(fd, NULL, buf, size, &cursor, &count));
	ASSERT_EQ(-EFAULT, vmc_list(fd, NULL, vmc_unmapped(), sizeof(buf),
				    &cursor, &count));
	ASSERT_EQ(-EFAULT, vmc_list(fd, NULL, NULL, sizeof(buf), &cursor,
				    &count));
	close(fd);
}

struct stress {
	int fd;
	int id;
	uint64_t logged;	/* records + dropped of this thread's logs */
	uint64_t dropped;
	int err;
};

/* The records of a log add up to its used bytes; keys look like ours. */
static bool log_consistent(const struct vmemcache_evicted_log *log,
			   size_t size)
{
	const uint8_t *p = (const uint8_t *)(log + 1);
	const struct vmemcache_evicted_rec *rec;
	uint32_t i;

	if (log->used > size || log->used < sizeof(*log))
		return false;
	for (i = 0; i < log->count; i++) {
		rec = (const void *)p;
		if (rec->key_len < 1 || rec->key_len > 3 || !rec->value_size)
			return false;
		p += VMEMCACHE_EVICTED_REC_SIZE(rec->key_len);
	}
	return p == (const uint8_t *)log + log->used &&
	       !!log->dropped == !!(log->flags & VMEMCACHE_EVICTED_TRUNCATED);
}

/* Puts with a small log under pressure, named evicts and gets. */
static void *stress_thread(void *arg)
{
	struct stress *t = arg;
	uint64_t logbuf[32], rng = 0x9e3779b97f4a7c15ULL * (t->id + 1);
	struct vmemcache_evicted_log *log = (void *)logbuf;
	static uint8_t val[64 << 10];
	struct vmemcache_put p;
	struct vmemcache_evict ev;
	char key[32], out[16];
	int i, ret;

	for (i = 0; i < 3000 && !t->err; i++) {
		vmc_key(key, sizeof(key), "", (unsigned int)vmc_rand_range(&rng, 0, 400));
		switch (vmc_rand(&rng) % 4) {
		case 0:
		case 1:
			memset(&p, 0, sizeof(p));
			p.key = vmc_ptr(key);
			p.key_len = strlen(key);
			p.value = vmc_ptr(val);
			p.value_len = vmc_rand_range(&rng, 1, sizeof(val));
			p.flags = VMEMCACHE_PUT_REPLACE;
			p.evicted = vmc_ptr(log);
			p.evicted_size = sizeof(logbuf);
			ret = vmc_ioctl(t->fd, VMEMCACHE_IOC_PUT, &p);
			if (ret && ret != -ENOSPC)
				t->err = ret;
			break;
		case 2:
			memset(&ev, 0, sizeof(ev));
			if (vmc_rand(&rng) % 2) {
				ev.key = vmc_ptr(key);
				ev.key_len = strlen(key);
			}
			ev.evicted = vmc_ptr(log);
			ev.evicted_size = sizeof(logbuf);
			ret = vmc_ioctl(t->fd, VMEMCACHE_IOC_EVICT, &ev);
			if (ret && ret != -ENOENT && ret != -ESRCH)
				t->err = ret;
			break;
		default:
			ret = vmc_get(t->fd, key, strlen(key), out, sizeof(out),
				      0, NULL, NULL);
			if (ret && ret != -ENOENT)
				t->err = ret;
			continue;
		}
		if (!log_consistent(log, sizeof(logbuf)))
			t->err = -EBADMSG;
		t->logged += log->count + log->dropped;
		t->dropped += log->dropped;
	}
	return NULL;
}

/*
 * Threads put (evicting), evict and get on one private cache, each with its
 * own small log: every eviction is reported to exactly one caller.
 */
/* Minutes, not seconds, on the debug kernel (KASAN checks every copy). */
TEST_F_TIMEOUT(private, evicted_log_concurrent, 600)
{
	enum { T = 8 };
	struct stress t[T];
	pthread_t th[T];
	struct vmemcache_stats st;
	uint64_t logged = 0, dropped = 0;
	int fd, i;

	fd = vmc_create_dram(self->fd, 2 << 20);
	ASSERT_LE(0, fd);
	for (i = 0; i < T; i++) {
		t[i] = (struct stress){ .fd = fd, .id = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, stress_thread, &t[i]));
	}
	for (i = 0; i < T; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, t[i].err) TH_LOG("thread %d: %s", i,
					      strerror(-t[i].err));
		logged += t[i].logged;
		dropped += t[i].dropped;
	}
	ASSERT_EQ(0, vmc_stats(fd, &st));
	TH_LOG("%llu evictions, %llu reported in logs (%llu dropped for room)",
	       (unsigned long long)st.evictions, (unsigned long long)logged,
	       (unsigned long long)dropped);
	ASSERT_EQ(st.evictions, logged);
	close(fd);
}

/* Several operations in one call, each with its own result. */
TEST_F(private, batch)
{
	uint64_t logbuf[256];
	struct vmemcache_evicted_log *log = (void *)logbuf;
	struct vmemcache_batch_item it[8];
	struct vmemcache_batch b;
	struct vmemcache_stats st;
	char out1[8], out2[2];
	int fd;

	fd = vmc_create_dram(self->fd, 1 << 20);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_put(fd, "old", 3, "value", 5, 0));
	memset(it, 0, sizeof(it));
	it[0] = (struct vmemcache_batch_item){ .op = VMEMCACHE_BATCH_PUT,
		.key = vmc_ptr("a"), .key_len = 1, .buf = vmc_ptr("AAAA"),
		.len = 4 };
	it[1] = (struct vmemcache_batch_item){ .op = VMEMCACHE_BATCH_PUT,
		.key = vmc_ptr("old"), .key_len = 3, .buf = vmc_ptr("x"),
		.len = 1 };			/* exists: -EEXIST */
	it[2] = (struct vmemcache_batch_item){ .op = VMEMCACHE_BATCH_GET,
		.key = vmc_ptr("a"), .key_len = 1, .buf = vmc_ptr(out1),
		.len = sizeof(out1) };
	it[3] = (struct vmemcache_batch_item){ .op = VMEMCACHE_BATCH_GET,
		.key = vmc_ptr("old"), .key_len = 3, .buf = vmc_ptr(out2),
		.len = sizeof(out2) };		/* short buffer */
	it[4] = (struct vmemcache_batch_item){ .op = VMEMCACHE_BATCH_GET,
		.key = vmc_ptr("miss"), .key_len = 4 };
	it[5] = (struct vmemcache_batch_item){ .op = VMEMCACHE_BATCH_EXISTS,
		.key = vmc_ptr("old"), .key_len = 3 };
	it[6] = (struct vmemcache_batch_item){ .op = VMEMCACHE_BATCH_EVICT,
		.key = vmc_ptr("old"), .key_len = 3 };
	it[7] = (struct vmemcache_batch_item){ .op = 9,
		.key = vmc_ptr("a"), .key_len = 1 };
	memset(&b, 0, sizeof(b));
	b.items = vmc_ptr(it);
	b.count = 8;
	b.evicted = vmc_ptr(log);
	b.evicted_size = sizeof(logbuf);
	ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_BATCH, &b));
	ASSERT_EQ(8u, b.done);
	ASSERT_EQ(0, it[0].result);
	ASSERT_EQ(-EEXIST, it[1].result);
	ASSERT_EQ(0, it[2].result);
	ASSERT_EQ(4u, it[2].copied);
	ASSERT_EQ(4u, it[2].value_size);
	ASSERT_EQ(0, memcmp(out1, "AAAA", 4));
	ASSERT_EQ(0, it[3].result);
	ASSERT_EQ(2u, it[3].copied);
	ASSERT_EQ(5u, it[3].value_size);
	ASSERT_EQ(-ENOENT, it[4].result);
	ASSERT_EQ(0, it[5].result);
	ASSERT_EQ(5u, it[5].value_size);
	ASSERT_EQ(0, it[6].result);
	ASSERT_EQ(-EINVAL, it[7].result);
	ASSERT_EQ(1u, log->count);	/* the evicted "old" */
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(2u, st.puts);
	ASSERT_EQ(3u, st.gets);
	ASSERT_EQ(1u, st.misses);
	ASSERT_EQ(1u, st.entries);

	/* Bad batches. */
	b.count = 0;
	ASSERT_EQ(-EINVAL, vmc_ioctl(fd, VMEMCACHE_IOC_BATCH, &b));
	b.count = VMEMCACHE_BATCH_MAX + 1;
	ASSERT_EQ(-EINVAL, vmc_ioctl(fd, VMEMCACHE_IOC_BATCH, &b));
	b.count = 1;
	b.items = vmc_ptr(vmc_unmapped());
	ASSERT_EQ(-EFAULT, vmc_ioctl(fd, VMEMCACHE_IOC_BATCH, &b));
	close(fd);
}

/* Fill a struct with random bytes, then make some fields plausible. */
static void rand_bytes(uint64_t *rng, void *p, size_t len)
{
	uint8_t *b = p;

	while (len--)
		*b++ = (uint8_t)vmc_rand(rng);
}

/*
 * Random arguments to the v2 commands, half of them nearly valid: the
 * kernel answers each with an errno of the documented set (or success),
 * never crashes (an oops fails the guest run) and leaks no cache.
 */
TEST_F(private, random_arguments)
{
	uint64_t rng = vmc_test_seed("private.random_arguments");
	uint64_t caches0 = sysfs_u64(_metadata, "private_caches");
	static uint8_t buf[8192];
	struct vmemcache_batch_item items[4];
	struct vmemcache_create cr;
	struct vmemcache_list ls;
	struct vmemcache_batch b;
	struct vmemcache_evict ev;
	struct vmemcache_put p;
	void *gone = vmc_unmapped();
	int fd, i, ret, j;

	fd = vmc_create_dram(self->fd, 1 << 20);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_put(fd, "key", 3, "value", 5, 0));
	for (i = 0; i < 3000; i++) {
		bool tame = vmc_rand(&rng) % 2;
		uint64_t ptrs[3] = { vmc_ptr(buf), vmc_ptr(gone), 0 };

		switch (i % 5) {
		case 0:
			rand_bytes(&rng, &cr, sizeof(cr));
			if (tame) {
				cr.size = vmc_rand_range(&rng, 0, 4 << 20);
				cr.extent_size = vmc_rand_range(&rng, 0, 1 << 20);
				cr.policy %= 3;
				cr.flags &= 3;
				cr.backing_fd %= 8;
				memset(cr.reserved, 0, sizeof(cr.reserved));
			}
			ret = ioctl(self->fd, VMEMCACHE_IOC_CREATE, &cr);
			if (ret >= 0) {
				close(ret);
				break;
			}
			ASSERT_TRUE(errno == EINVAL || errno == EBADF ||
				    errno == ENOTBLK || errno == EDQUOT ||
				    errno == ENOMEM || errno == EBUSY ||
				    errno == EOPNOTSUPP)
				TH_LOG("CREATE: %s", strerror(errno));
			break;
		case 1:
			rand_bytes(&rng, &ls, sizeof(ls));
			if (tame) {
				ls.prefix = ptrs[vmc_rand(&rng) % 3];
				ls.prefix_len %= 8;
				ls.buf = ptrs[vmc_rand(&rng) % 3];
				ls.buf_size %= sizeof(buf) + 1;
				ls.cursor = vmc_rand(&rng) % 2 ? 0 : ls.cursor;
				ls.flags = ls.pad = 0;
				memset(ls.reserved, 0, sizeof(ls.reserved));
			}
			ret = vmc_ioctl(fd, VMEMCACHE_IOC_LIST, &ls);
			ASSERT_TRUE(!ret || ret == -EINVAL || ret == -EFAULT ||
				    ret == -EOVERFLOW || ret == -ENOMEM)
				TH_LOG("LIST: %s", strerror(-ret));
			break;
		case 2:
			rand_bytes(&rng, items, sizeof(items));
			for (j = 0; j < 4 && tame; j++) {
				items[j].key = ptrs[vmc_rand(&rng) % 3];
				items[j].key_len %= 8;
				items[j].buf = ptrs[vmc_rand(&rng) % 3];
				items[j].len %= sizeof(buf) + 1;
				items[j].op %= 5;
				items[j].flags %= 2;
				items[j].pad = 0;
			}
			rand_bytes(&rng, &b, sizeof(b));
			if (tame) {
				b.items = vmc_rand(&rng) % 4 ? vmc_ptr(items) :
							       vmc_ptr(gone);
				b.count = vmc_rand_range(&rng, 0, 4);
				b.flags = b.pad = 0;
				b.evicted = vmc_rand(&rng) % 2 ? 0 : vmc_ptr(buf);
				b.evicted_size = b.evicted ? sizeof(buf) : 0;
				memset(b.reserved, 0, sizeof(b.reserved));
			}
			ret = vmc_ioctl(fd, VMEMCACHE_IOC_BATCH, &b);
			ASSERT_TRUE(!ret || ret == -EINVAL || ret == -EFAULT)
				TH_LOG("BATCH: %s", strerror(-ret));
			break;
		case 3:
			rand_bytes(&rng, &ev, sizeof(ev));
			if (tame) {
				ev.key = ptrs[vmc_rand(&rng) % 3];
				ev.key_len %= 4;
				ev.flags %= 2;
				ev.evicted = ptrs[vmc_rand(&rng) % 3];
				ev.evicted_size %= 64;
				memset(ev.reserved, 0, sizeof(ev.reserved));
			}
			ret = vmc_ioctl(fd, VMEMCACHE_IOC_EVICT, &ev);
			ASSERT_TRUE(!ret || ret == -EINVAL || ret == -EFAULT ||
				    ret == -ENOENT || ret == -ESRCH)
				TH_LOG("EVICT: %s", strerror(-ret));
			break;
		default:
			rand_bytes(&rng, &p, sizeof(p));
			if (tame) {
				p.key = ptrs[vmc_rand(&rng) % 3];
				p.key_len %= 4;
				p.value = ptrs[vmc_rand(&rng) % 3];
				p.value_len %= sizeof(buf) + 1;
				p.flags %= 2;
				p.evicted = ptrs[vmc_rand(&rng) % 3];
				p.evicted_size %= 256;
				p.cas = 0;
			}
			ret = vmc_ioctl(fd, VMEMCACHE_IOC_PUT, &p);
			ASSERT_TRUE(!ret || ret == -EINVAL || ret == -EFAULT ||
				    ret == -EEXIST || ret == -ENOSPC ||
				    ret == -ENOENT)
				TH_LOG("PUT: %s", strerror(-ret));
			break;
		}
	}
	close(fd);
	ASSERT_EQ(caches0, sysfs_u64(_metadata, "private_caches"));
}

/*
 * A private cache on the DAX device: only in the pmem pass, where the
 * shared cache lets go of the device for it.
 */
TEST_F(private, dax)
{
	struct vmemcache_stats st;
	int dev, fd, ro;
	char buf[8];

	if (!*vmc_backing())
		SKIP(return, "DRAM pass: the DAX private cache runs in the pmem pass");
	/* The shared cache holds the device: busy. */
	dev = open(vmc_backing(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev) TH_LOG("open %s: %s", vmc_backing(), strerror(errno));
	ASSERT_EQ(-EBUSY, vmc_create(self->fd, 0, 256, VMEMCACHE_POLICY_LRU,
				     VMEMCACHE_CREATE_DAX, dev));
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", "none"));

	ro = open(vmc_backing(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	ASSERT_EQ(-EBADF, vmc_create(self->fd, 0, 256, VMEMCACHE_POLICY_LRU,
				     VMEMCACHE_CREATE_DAX, ro));
	close(ro);
	ASSERT_EQ(-EINVAL, vmc_create(self->fd, 1ULL << 50, 256,
				      VMEMCACHE_POLICY_LRU,
				      VMEMCACHE_CREATE_DAX, dev));

	fd = vmc_create(self->fd, 8 << 20, 256, VMEMCACHE_POLICY_LRU,
			VMEMCACHE_CREATE_DAX, dev);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(8u << 20, st.pool_size);
	ASSERT_EQ(0, vmc_put(fd, "dax", 3, "on pmem", 7, 0));
	ASSERT_EQ(0, vmc_get(fd, "dax", 3, buf, sizeof(buf), 0, NULL, NULL));
	ASSERT_EQ(0, memcmp(buf, "on pmem", 7));
	/* Claimed: neither the shared cache nor another private one gets it. */
	ASSERT_EQ(-EBUSY, vmc_sysfs_write("backing_dev", vmc_backing()));
	ASSERT_EQ(-EBUSY, vmc_create(self->fd, 0, 256, VMEMCACHE_POLICY_LRU,
				     VMEMCACHE_CREATE_DAX, dev));
	close(fd);

	/* Released with the last close; size 0 takes the whole device. */
	fd = vmc_create(self->fd, 0, 4096, VMEMCACHE_POLICY_NONE,
			VMEMCACHE_CREATE_DAX, dev);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_LT(8u << 20, st.pool_size);
	close(fd);
	close(dev);
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", vmc_backing()));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * The device's access mode: a descriptor of /dev/vmemcache opened O_RDONLY
 * reads (GET, EXISTS, LIST, STATS, VERSION) and changes nothing (PUT,
 * EVICT, EVICT_PREFIX, a BATCH with a put or an evict, CREATE fail with
 * EBADF); a descriptor opened O_RDWR does everything, and a private cache's
 * descriptor is read-write.
 */
#include "vmc_test.h"

#include <sys/wait.h>

#include <libvmemcache.h>

#define KEY		"access-key"
#define KEY_LEN		((uint32_t)strlen(KEY))
#define VAL		"access-value"
#define VAL_LEN		((uint64_t)strlen(VAL))

FIXTURE(access) {
	int rw;
	int ro;
};

FIXTURE_SETUP(access)
{
	self->rw = -1;
	self->ro = -1;
	ASSERT_EQ(0, vmc_restore_defaults());
	self->rw = vmc_open();
	ASSERT_LE(0, self->rw);
	self->ro = open(vmc_dev_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->ro) TH_LOG("open O_RDONLY: %s", strerror(errno));
	ASSERT_EQ(0, vmc_put(self->rw, KEY, KEY_LEN, VAL, VAL_LEN, 0));
}

FIXTURE_TEARDOWN(access)
{
	if (self->ro >= 0)
		close(self->ro);
	if (self->rw >= 0)
		close(self->rw);
	EXPECT_EQ(0, vmc_restore_defaults());
}

/* The state a refused call must leave as it was. */
static void vmc_snapshot(int fd, struct vmemcache_stats *st)
{
	if (vmc_stats(fd, st))
		memset(st, 0xff, sizeof(*st));
}

#define ASSERT_UNCHANGED(b, a) do {				\
	ASSERT_EQ((b).entries, (a).entries);			\
	ASSERT_EQ((b).puts, (a).puts);				\
	ASSERT_EQ((b).evictions, (a).evictions);		\
	ASSERT_EQ((b).pool_used, (a).pool_used);		\
} while (0)

TEST_F(access, reads_work_read_only)
{
	struct vmemcache_version v = {};
	struct vmemcache_stats st;
	struct vmemcache_list ls = {};
	char buf[64] = {};
	uint8_t lbuf[256];
	uint64_t copied = 0, size = 0;

	ASSERT_EQ(0, vmc_version(self->ro, &v));
	ASSERT_LE(1U, v.api_version);
	ASSERT_EQ(0, vmc_get(self->ro, KEY, KEY_LEN, buf, sizeof(buf), 0,
			     &copied, &size));
	ASSERT_EQ(VAL_LEN, copied);
	ASSERT_EQ(VAL_LEN, size);
	ASSERT_EQ(0, memcmp(buf, VAL, VAL_LEN));
	size = 0;
	ASSERT_EQ(0, vmc_exists(self->ro, KEY, KEY_LEN, &size));
	ASSERT_EQ(VAL_LEN, size);
	ASSERT_EQ(-ENOENT, vmc_exists(self->ro, "nope", 4, NULL));
	ASSERT_EQ(0, vmc_stats(self->ro, &st));
	ASSERT_EQ(1ULL, st.entries);
	ls.buf = vmc_ptr(lbuf);
	ls.buf_size = sizeof(lbuf);
	ASSERT_EQ(0, vmc_ioctl(self->ro, VMEMCACHE_IOC_LIST, &ls));
	ASSERT_EQ(1U, ls.count);
}

TEST_F(access, writes_fail_read_only)
{
	struct vmemcache_stats before, after;
	struct vmemcache_evict ev = {};

	vmc_snapshot(self->rw, &before);
	ASSERT_EQ(-EBADF, vmc_put(self->ro, "new", 3, VAL, VAL_LEN, 0));
	ASSERT_EQ(-EBADF, vmc_put(self->ro, KEY, KEY_LEN, "x", 1,
				  VMEMCACHE_PUT_REPLACE));
	ASSERT_EQ(-EBADF, vmc_evict(self->ro, KEY, KEY_LEN));
	ASSERT_EQ(-EBADF, vmc_evict_lru(self->ro));
	ev.key = vmc_ptr(KEY);
	ev.key_len = 3;
	ev.flags = VMEMCACHE_EVICT_PREFIX;
	ASSERT_EQ(-EBADF, vmc_ioctl(self->ro, VMEMCACHE_IOC_EVICT, &ev));
	vmc_snapshot(self->rw, &after);
	ASSERT_UNCHANGED(before, after);
	ASSERT_EQ(0, vmc_exists(self->rw, KEY, KEY_LEN, NULL));
	ASSERT_EQ(-ENOENT, vmc_exists(self->rw, "new", 3, NULL));
}

TEST_F(access, create_needs_write)
{
	struct vmemcache_create cr = {
		.size = VMC_MIN_CAPACITY,
		.extent_size = VMC_DEFAULT_EXTENT,
		.policy = VMEMCACHE_POLICY_LRU,
		.flags = VMEMCACHE_CREATE_CLOEXEC,
	};
	int pfd;

	ASSERT_EQ(-1, ioctl(self->ro, VMEMCACHE_IOC_CREATE, &cr));
	ASSERT_EQ(EBADF, errno);
	pfd = ioctl(self->rw, VMEMCACHE_IOC_CREATE, &cr);
	ASSERT_LE(0, pfd) TH_LOG("create: %s", strerror(errno));
	/* A private cache's descriptor is read-write. */
	ASSERT_EQ(O_RDWR, fcntl(pfd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, vmc_put(pfd, KEY, KEY_LEN, VAL, VAL_LEN, 0));
	ASSERT_EQ(0, vmc_evict(pfd, KEY, KEY_LEN));
	close(pfd);
}

/* A batch with one mutating item on a read-only fd does nothing at all. */
TEST_F(access, batch_read_only)
{
	struct vmemcache_batch_item it[3];
	struct vmemcache_batch b = {};
	struct vmemcache_stats before, after;
	char buf[64];
	unsigned int op;

	for (op = VMEMCACHE_BATCH_PUT; op <= VMEMCACHE_BATCH_EVICT; op++) {
		if (op == VMEMCACHE_BATCH_EXISTS)
			continue;
		memset(it, 0, sizeof(it));
		memset(&b, 0, sizeof(b));
		it[0].op = VMEMCACHE_BATCH_GET;
		it[0].key = vmc_ptr(KEY);
		it[0].key_len = KEY_LEN;
		it[0].buf = vmc_ptr(buf);
		it[0].len = sizeof(buf);
		it[0].result = 12345;
		it[1].op = op;
		it[1].key = vmc_ptr(op == VMEMCACHE_BATCH_PUT ? "new" : KEY);
		it[1].key_len = op == VMEMCACHE_BATCH_PUT ? 3 : KEY_LEN;
		it[1].buf = vmc_ptr(VAL);
		it[1].len = op == VMEMCACHE_BATCH_PUT ? VAL_LEN : 0;
		it[1].result = 12345;
		it[2] = it[0];
		b.items = vmc_ptr(it);
		b.count = 3;
		vmc_snapshot(self->rw, &before);
		ASSERT_EQ(-EBADF, vmc_ioctl(self->ro, VMEMCACHE_IOC_BATCH, &b));
		vmc_snapshot(self->rw, &after);
		ASSERT_UNCHANGED(before, after);
		/* Not even the gets before the put ran. */
		ASSERT_EQ(before.gets, after.gets);
		ASSERT_EQ(12345, it[0].result);
		ASSERT_EQ(12345, it[1].result);
		ASSERT_EQ(-ENOENT, vmc_exists(self->rw, "new", 3, NULL));
		ASSERT_EQ(0, vmc_exists(self->rw, KEY, KEY_LEN, NULL));
	}

	/* Reads only: the batch runs. */
	memset(it, 0, sizeof(it));
	memset(&b, 0, sizeof(b));
	it[0].op = VMEMCACHE_BATCH_GET;
	it[0].key = vmc_ptr(KEY);
	it[0].key_len = KEY_LEN;
	it[0].buf = vmc_ptr(buf);
	it[0].len = sizeof(buf);
	it[1].op = VMEMCACHE_BATCH_EXISTS;
	it[1].key = vmc_ptr(KEY);
	it[1].key_len = KEY_LEN;
	b.items = vmc_ptr(it);
	b.count = 2;
	ASSERT_EQ(0, vmc_ioctl(self->ro, VMEMCACHE_IOC_BATCH, &b));
	ASSERT_EQ(2U, b.done);
	ASSERT_EQ(0, it[0].result);
	ASSERT_EQ(VAL_LEN, it[0].copied);
	ASSERT_EQ(0, it[1].result);
	ASSERT_EQ(VAL_LEN, it[1].value_size);

	/* The same batch with a put works on a read-write fd. */
	memset(it, 0, sizeof(it));
	memset(&b, 0, sizeof(b));
	it[0].op = VMEMCACHE_BATCH_PUT;
	it[0].key = vmc_ptr("new");
	it[0].key_len = 3;
	it[0].buf = vmc_ptr(VAL);
	it[0].len = VAL_LEN;
	b.items = vmc_ptr(it);
	b.count = 1;
	ASSERT_EQ(0, vmc_ioctl(self->rw, VMEMCACHE_IOC_BATCH, &b));
	ASSERT_EQ(0, it[0].result);
	ASSERT_EQ(0, vmc_exists(self->ro, "new", 3, NULL));
}

/*
 * What a user with read permission alone can do, as an administrator sets
 * it up (mode 0644): open the device read-only and read, not write; and
 * libvmemcache-kdev, refused read-write, attaches read-only.  Returns the
 * number of the first check that failed, 0 if none did.
 */
static int reader_checks(void)
{
	char buf[64] = {};
	VMEMcache *cache;
	int fd;

	if (setgid(65534) || setuid(65534))
		return 1;
	if (open(vmc_dev_path(), O_RDWR) >= 0 || errno != EACCES)
		return 2;
	fd = open(vmc_dev_path(), O_RDONLY);
	if (fd < 0)
		return 3;
	if (vmc_get(fd, KEY, KEY_LEN, buf, sizeof(buf), 0, NULL, NULL))
		return 4;
	if (vmc_put(fd, "new", 3, VAL, VAL_LEN, 0) != -EBADF)
		return 5;
	close(fd);
	cache = vmemcache_new();
	if (!cache || vmemcache_add(cache, vmc_dev_path()))
		return 6;
	if (vmemcache_get(cache, KEY, KEY_LEN, buf, sizeof(buf), 0, NULL) !=
	    (ssize_t)VAL_LEN)
		return 7;
	if (vmemcache_put(cache, "new", 3, VAL, VAL_LEN) != -1 ||
	    errno != EBADF)
		return 8;
	vmemcache_delete(cache);
	return 0;
}

TEST_F(access, reader_permission_only)
{
	struct stat st;
	int status;
	pid_t pid;

	ASSERT_EQ(0, stat(vmc_dev_path(), &st));
	ASSERT_EQ(0, chmod(vmc_dev_path(), 0644));
	pid = fork();
	if (!pid)
		_exit(reader_checks());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, chmod(vmc_dev_path(), st.st_mode & 07777));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("check %d failed as uid 65534", WEXITSTATUS(status));
	ASSERT_EQ(-ENOENT, vmc_exists(self->rw, "new", 3, NULL));
}

TEST_HARNESS_MAIN

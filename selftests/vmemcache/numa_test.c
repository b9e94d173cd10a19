// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA placement of a DRAM pool: the numa_node tunable of the shared cache
 * and VMEMCACHE_CREATE_NUMA_NODE of a private one.  Hostile node numbers
 * are refused on any guest; the placement tests need a second node with
 * memory (run.sh --numa: node 1 has no CPUs, like a CXL expander) and
 * SKIP on a one-node guest.  Where the pages are is read twice: from the
 * module's numa_stat and from the node's MemFree in
 * /sys/devices/system/node/nodeN/meminfo, which must agree.
 */
#include "vmc_test.h"

#include <libvmemcache.h>
#include <limits.h>

#define NODE_SYS	"/sys/devices/system/node"
#define POOL		(64ULL << 20)
#define POOL_PAGES	(POOL / VMC_PAGE)
/* MemFree moves with the rest of the guest too: allow this much noise. */
#define SLACK		(8ULL << 20)

/* A node's meminfo field ("Node 1 MemFree:   123 kB"), in bytes. */
static long long node_meminfo(int nid, const char *field)
{
	char path[96], line[256], key[64];
	long long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), NODE_SYS "/node%d/meminfo", nid);
	snprintf(key, sizeof(key), " %s:", field);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, key);

		if (p) {
			kb = strtoll(p + strlen(key), NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb < 0 ? -ENOENT : kb << 10;
}

static long long node_free(int nid)
{
	return node_meminfo(nid, "MemFree");
}

/* Nodes with memory: 0-1 style list in has_memory; returns how many. */
static int nodes_with_memory(void)
{
	char buf[64];
	int n = 0, a, b;
	char *p = buf;
	FILE *f = fopen(NODE_SYS "/has_memory", "r");

	if (!f)
		return 1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	while (*p) {
		if (sscanf(p, "%d-%d", &a, &b) == 2)
			n += b - a + 1;
		else if (sscanf(p, "%d", &a) == 1)
			n++;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return n;
}

/* Pool pages numa_stat counts: none for a pool on a DAX device. */
#define DRAM_PAGES	(*vmc_backing() ? 0 : POOL_PAGES)

#define NEED_TWO_NODES()						\
	do {								\
		if (*vmc_backing())					\
			SKIP(return, "the pool is on %s, not DRAM", vmc_backing()); \
		if (nodes_with_memory() < 2 ||				\
		    access(NODE_SYS "/node1/meminfo", F_OK))		\
			SKIP(return, "the guest has one NUMA node with memory (run.sh --numa gives two)"); \
	} while (0)

/* numa_stat: pages of the pool on nodes 0 and 1 (-1: parse error). */
static int numa_stat(uint64_t pages[2])
{
	char buf[256];
	ssize_t n = vmc_sysfs_read("numa_stat", buf, sizeof(buf));
	unsigned long long a = 0, b = 0;
	int got;

	if (n < 0 || buf[n - 1] != '\n')
		return -1;
	got = sscanf(buf, "%llu %llu", &a, &b);
	if (got < 1)
		return -1;
	pages[0] = a;
	pages[1] = got > 1 ? b : 0;
	return 0;
}

static int set_node(int nid)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", nid);
	return vmc_sysfs_write("numa_node", buf);
}

static int get_node(int *nid)
{
	char buf[32];
	ssize_t n = vmc_sysfs_read("numa_node", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	*nid = atoi(buf);
	return 0;
}

static int create(int fd, uint64_t size, uint32_t flags, int32_t nid,
		  uint32_t pad)
{
	struct vmemcache_create cr = {
		.size = size,
		.extent_size = 256,
		.policy = VMEMCACHE_POLICY_LRU,
		.flags = flags | VMEMCACHE_CREATE_CLOEXEC,
		.numa_node = nid,
		.pad = pad,
	};
	int ret = ioctl(fd, VMEMCACHE_IOC_CREATE, &cr);

	return ret < 0 ? -errno : ret;
}

FIXTURE(numa) {
	int fd;
};

FIXTURE_SETUP(numa)
{
	self->fd = -1;
	ASSERT_EQ(0, vmc_reset());
	ASSERT_EQ(0, set_node(-1));
	ASSERT_EQ(0, vmc_restore_defaults());
	self->fd = vmc_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(numa)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, vmc_reset());
	EXPECT_EQ(0, set_node(-1));
	EXPECT_EQ(0, vmc_restore_defaults());
}

TEST_F(numa, feature_and_defaults)
{
	struct vmemcache_version v;
	uint64_t pages[2];
	int nid = 5;

	ASSERT_EQ(0, vmc_version(self->fd, &v));
	ASSERT_TRUE(!!(v.features & VMEMCACHE_FEAT_NUMA_NODE));
	ASSERT_EQ(0, get_node(&nid));
	ASSERT_EQ(-1, nid);
	ASSERT_EQ(0, numa_stat(pages));
	/* Today's pool, wherever the allocator put it: all of it counted. */
	ASSERT_EQ(DRAM_PAGES, pages[0] + pages[1]);
}

TEST_F(numa, hostile_nodes_refused)
{
	static const char *const bad[] = {
		"-2", "4096", "65536", "2147483647", "-2147483648",
		"99999999999", "1x", "\n", "node0", "1 2",
	};
	uint64_t pages[2];
	unsigned int i;
	int nid;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, vmc_sysfs_write("numa_node", bad[i]))
			TH_LOG("numa_node value #%u", i);
	ASSERT_EQ(0, get_node(&nid));
	ASSERT_EQ(-1, nid);
	ASSERT_EQ(0, numa_stat(pages));
	ASSERT_EQ(DRAM_PAGES, pages[0] + pages[1]);

	/* The ioctl: flag checks, then the same numbers. */
	EXPECT_EQ(-EINVAL, create(self->fd, POOL, 0, 1, 0));
	EXPECT_EQ(-EINVAL, create(self->fd, POOL, 0, -1, 0));
	EXPECT_EQ(-EINVAL, create(self->fd, POOL, VMEMCACHE_CREATE_NUMA_NODE,
				  0, 1));
	EXPECT_EQ(-EINVAL, create(self->fd, POOL, VMEMCACHE_CREATE_NUMA_NODE |
				  VMEMCACHE_CREATE_DAX, 0, 0));
	EXPECT_EQ(-EINVAL, create(self->fd, POOL, VMEMCACHE_CREATE_NUMA_NODE |
				  VMEMCACHE_CREATE_FILE, 0, 0));
	EXPECT_EQ(-EINVAL, create(self->fd, POOL, VMEMCACHE_CREATE_NUMA_NODE,
				  -2, 0));
	EXPECT_EQ(-EINVAL, create(self->fd, POOL, VMEMCACHE_CREATE_NUMA_NODE,
				  INT_MIN, 0));
	EXPECT_EQ(-EINVAL, create(self->fd, POOL, VMEMCACHE_CREATE_NUMA_NODE,
				  INT_MAX, 0));
	EXPECT_EQ(-EINVAL, create(self->fd, POOL, VMEMCACHE_CREATE_NUMA_NODE,
				  1 << 16, 0));
}

/* A node that is possible but not online (or has no memory): ENODEV. */
TEST_F(numa, offline_node_enodev)
{
	int nid;

	for (nid = 0; nid < 64; nid++) {
		char path[64];

		snprintf(path, sizeof(path), NODE_SYS "/node%d", nid);
		if (access(path, F_OK))
			break;
		if (node_meminfo(nid, "MemTotal") <= 0)
			break;
	}
	/* nid has no memory (or is not online); is it possible at all? */
	if (set_node(nid) == -EINVAL)
		SKIP(return, "no possible node without memory (nr_node_ids is %d)",
		     nid);
	ASSERT_EQ(-ENODEV, set_node(nid));
	ASSERT_EQ(-ENODEV, create(self->fd, POOL, VMEMCACHE_CREATE_NUMA_NODE,
				  nid, 0));
}

/*
 * On a DAX backing_dev the node is only kept, and the DRAM pool the cache
 * goes back to is allocated there (pmem pass only).
 */
TEST_F(numa, dax_keeps_node)
{
	uint64_t pages[2];
	int nid = -1;

	if (!*vmc_backing())
		SKIP(return, "the pool is in DRAM (the pmem pass covers this)");
	ASSERT_EQ(0, set_node(0));
	ASSERT_EQ(0, get_node(&nid));
	ASSERT_EQ(0, nid);
	ASSERT_EQ(0, numa_stat(pages));
	ASSERT_EQ(0U, pages[0] + pages[1]);
	ASSERT_EQ(0, vmc_sysfs_write("backing_dev", "none"));
	ASSERT_EQ(0, numa_stat(pages));
	ASSERT_LT(0U, pages[0]);
	ASSERT_EQ(0U, pages[1]);
}

/* The ioctl's -1 and node 0 work on any guest. */
TEST_F(numa, private_minus_one_and_zero)
{
	int cfd;

	cfd = create(self->fd, POOL, VMEMCACHE_CREATE_NUMA_NODE, -1, 0);
	ASSERT_LE(0, cfd) TH_LOG("%s", strerror(-cfd));
	ASSERT_EQ(0, vmc_put(cfd, "k", 1, "v", 1, 0));
	close(cfd);
	cfd = create(self->fd, POOL, VMEMCACHE_CREATE_NUMA_NODE, 0, 0);
	ASSERT_LE(0, cfd) TH_LOG("%s", strerror(-cfd));
	close(cfd);
}

/* The shared pool moves to each node in turn; both witnesses agree. */
TEST_F(numa, shared_pool_on_node)
{
	long long before, after;
	uint64_t pages[2], copied = 0;
	char val[64];
	int nid;

	NEED_TWO_NODES();
	ASSERT_EQ(0, set_node(0));
	ASSERT_EQ(0, numa_stat(pages));
	ASSERT_EQ(POOL_PAGES, pages[0]);
	ASSERT_EQ(0U, pages[1]);

	before = node_free(1);
	ASSERT_LT(0, before);
	ASSERT_EQ(0, set_node(1));
	after = node_free(1);
	ASSERT_EQ(0, get_node(&nid));
	ASSERT_EQ(1, nid);
	ASSERT_EQ(0, numa_stat(pages));
	ASSERT_EQ(0U, pages[0]);
	ASSERT_EQ(POOL_PAGES, pages[1]);
	ASSERT_LE((long long)(POOL - SLACK), before - after)
		TH_LOG("node 1 MemFree %lld -> %lld", before, after);
	ASSERT_GE((long long)(POOL + SLACK), before - after);

	/* The cache works on its node, and a resize stays there. */
	ASSERT_EQ(0, vmc_put(self->fd, "key", 3, "value", 5, 0));
	ASSERT_EQ(0, vmc_get(self->fd, "key", 3, val, sizeof(val), 0, &copied,
			     NULL));
	ASSERT_EQ(5U, copied);
	ASSERT_EQ(0, memcmp(val, "value", 5));
	ASSERT_EQ(-EBUSY, set_node(0));
	ASSERT_EQ(0, vmc_reset());
	ASSERT_EQ(0, vmc_sysfs_write_u64("capacity", POOL / 2));
	ASSERT_EQ(0, numa_stat(pages));
	ASSERT_EQ(0U, pages[0]);
	ASSERT_EQ(POOL_PAGES / 2, pages[1]);
	ASSERT_EQ(0, vmc_sysfs_write_u64("capacity", POOL));

	/* Back to node 0: node 1 gets its memory back. */
	before = node_free(1);
	ASSERT_EQ(0, set_node(0));
	after = node_free(1);
	ASSERT_LE((long long)(POOL - SLACK), after - before);
	ASSERT_EQ(0, numa_stat(pages));
	ASSERT_EQ(POOL_PAGES, pages[0]);
	ASSERT_EQ(0U, pages[1]);
}

TEST_F(numa, private_pool_on_node)
{
	long long before, after;
	uint64_t copied = 0;
	char val[8];
	int cfd;

	NEED_TWO_NODES();
	before = node_free(1);
	cfd = create(self->fd, POOL, VMEMCACHE_CREATE_NUMA_NODE, 1, 0);
	ASSERT_LE(0, cfd) TH_LOG("%s", strerror(-cfd));
	after = node_free(1);
	ASSERT_LE((long long)(POOL - SLACK), before - after)
		TH_LOG("node 1 MemFree %lld -> %lld", before, after);
	ASSERT_EQ(0, vmc_put(cfd, "k", 1, "v", 1, 0));
	ASSERT_EQ(0, vmc_get(cfd, "k", 1, val, sizeof(val), 0, &copied, NULL));
	ASSERT_EQ(1U, copied);
	close(cfd);
	/* The pool is freed with the last close (RCU may lag a little). */
	usleep(100000);
	ASSERT_LE((long long)(POOL - SLACK), node_free(1) - after);
}

/*
 * A pool larger than node 1: ENOMEM, one log line, and the old pool
 * (on node 0, or on node 1 for a resize) stays.  Two sizes: one above the
 * node's present pages (refused before allocating) and one between its
 * managed and present pages (the allocation itself fails).
 */
TEST_F(numa, node_too_small)
{
	long long total = node_meminfo(1, "MemTotal");
	uint64_t big, pages[2], cap = 0;
	int kmsg, nid, cfd;

	NEED_TWO_NODES();
	ASSERT_LT(0, total);
	kmsg = vmc_kmsg_open();
	ASSERT_LE(0, kmsg);

	big = VMC_ROUND_UP((uint64_t)total, 1ULL << 20) + (1ULL << 20);
	ASSERT_EQ(0, set_node(0));
	ASSERT_EQ(0, vmc_sysfs_write_u64("capacity", big));
	ASSERT_EQ(-ENOMEM, set_node(1));
	ASSERT_EQ(0, get_node(&nid));
	ASSERT_EQ(0, nid);
	ASSERT_EQ(0, numa_stat(pages));
	/* The last chunk is a whole compound page: up to 4 MiB more. */
	ASSERT_LE(big / VMC_PAGE, pages[0]);
	ASSERT_GT(big / VMC_PAGE + 1024, pages[0]);
	ASSERT_EQ(0U, pages[1]);
	ASSERT_EQ(0, vmc_sysfs_write_u64("capacity", 2 * big));
	ASSERT_EQ(-ENOMEM, set_node(1));
	ASSERT_EQ(0, vmc_sysfs_write_u64("capacity", POOL));

	/* On node 1, a capacity it cannot hold: the pool stays. */
	ASSERT_EQ(0, set_node(1));
	ASSERT_EQ(-ENOMEM, vmc_sysfs_write_u64("capacity", 2 * big));
	ASSERT_EQ(-ENOMEM, vmc_sysfs_write_u64("capacity", big));
	ASSERT_EQ(0, vmc_sysfs_read_u64("capacity", &cap));
	ASSERT_EQ(POOL, cap);
	ASSERT_EQ(0, numa_stat(pages));
	ASSERT_EQ(0U, pages[0]);
	ASSERT_EQ(POOL_PAGES, pages[1]);
	ASSERT_EQ(0, vmc_put(self->fd, "k", 1, "v", 1, 0));
	ASSERT_EQ(0, vmc_reset());

	/* A private cache too large for node 1. */
	cfd = create(self->fd, big, VMEMCACHE_CREATE_NUMA_NODE, 1, 0);
	ASSERT_EQ(-ENOMEM, cfd);

	ASSERT_LE(1, vmc_kmsg_count(kmsg, "no room for a"));
	close(kmsg);
}

/* libvmemcache-kdev: vmemcache_set_numa_node() before adding a directory. */
TEST_F(numa, lib_private_on_node)
{
	long long before, after;
	VMEMcache *c;
	char val[8];

	NEED_TWO_NODES();
	c = vmemcache_new();
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, vmemcache_set_size(c, POOL));
	ASSERT_EQ(0, vmemcache_set_numa_node(c, 1));
	before = node_free(1);
	ASSERT_EQ(0, vmemcache_add(c, "/tmp")) TH_LOG("%s", vmemcache_errormsg());
	after = node_free(1);
	ASSERT_LE((long long)(POOL - SLACK), before - after)
		TH_LOG("node 1 MemFree %lld -> %lld", before, after);
	ASSERT_EQ(0, vmemcache_put(c, "k", 1, "v", 1));
	ASSERT_EQ(1, vmemcache_get(c, "k", 1, val, sizeof(val), 0, NULL));
	vmemcache_delete(c);

	/* Too big for node 1: ENOMEM, and the message names the node. */
	c = vmemcache_new();
	ASSERT_NE(NULL, c);
	/* Above node 1's memory, below private_limit (half the RAM). */
	ASSERT_EQ(0, vmemcache_set_size(c, 2 * (uint64_t)node_meminfo(1, "MemTotal")));
	ASSERT_EQ(0, vmemcache_set_numa_node(c, 1));
	ASSERT_EQ(-1, vmemcache_add(c, "/tmp"));
	ASSERT_EQ(ENOMEM, errno);
	ASSERT_NE(NULL, strstr(vmemcache_errormsg(), "NUMA node 1"))
		TH_LOG("%s", vmemcache_errormsg());
	vmemcache_delete(c);

	/* A node no machine has: EINVAL from the module. */
	c = vmemcache_new();
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, vmemcache_set_numa_node(c, 1 << 20));
	ASSERT_EQ(-1, vmemcache_add(c, "/tmp"));
	ASSERT_EQ(EINVAL, errno);
	vmemcache_delete(c);
}

TEST_HARNESS_MAIN

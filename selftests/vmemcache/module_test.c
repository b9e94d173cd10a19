// SPDX-License-Identifier: GPL-2.0
/*
 * Module life cycle: unloading is refused while /dev/vmemcache is open (in
 * any process) and works once it is closed; a reload starts with an empty
 * cache and the default configuration, or with the one its parameters
 * give; bad parameters fail the load.  Runs last: it unloads and reloads
 * the module (from $VMEMCACHE_KO) and leaves it loaded with the defaults.
 */
#include "vmc_test.h"

FIXTURE(module) {
	int unused;
};

/* Loaded, empty, with the defaults: reload if the configuration differs. */
static int ensure_default_module(void)
{
	uint64_t cap = 0, ext = 0;
	char policy[32] = "";
	int ret;

	if (vmc_module_loaded()) {
		if (!vmc_sysfs_read_u64("capacity", &cap) &&
		    !vmc_sysfs_read_u64("extent_size", &ext) &&
		    vmc_sysfs_read("policy", policy, sizeof(policy)) > 0 &&
		    cap == VMC_DEFAULT_CAPACITY && ext == VMC_DEFAULT_EXTENT &&
		    !strcmp(policy, VMC_DEFAULT_POLICY "\n"))
			return vmc_reset();
		ret = vmc_module_unload();
		if (ret)
			return ret;
	}
	return vmc_module_load("");
}

FIXTURE_SETUP(module)
{
	ASSERT_EQ(0, ensure_default_module());
	ASSERT_TRUE(vmc_module_loaded());
}

FIXTURE_TEARDOWN(module)
{
	EXPECT_EQ(0, ensure_default_module());
	EXPECT_TRUE(vmc_module_loaded());
}

/* Open the device, allowing a moment for its node to appear. */
static int open_dev(void)
{
	int i, fd = -ENOENT;

	for (i = 0; i < 100 && fd == -ENOENT; i++) {
		fd = vmc_open();
		if (fd == -ENOENT)
			usleep(20000);
	}
	return fd;
}

static bool sysfs_dir_exists(void)
{
	struct stat st;

	return !stat(vmc_sysfs_dir(), &st);
}

TEST_F(module, unload_refused_while_open)
{
	int fd = open_dev(), fd2, status;
	pid_t pid;
	int pipefd[2];
	char c;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_put(fd, "k", 1, "v", 1, 0));
	ASSERT_EQ(-EWOULDBLOCK, vmc_module_unload());
	ASSERT_TRUE(vmc_module_loaded());
	/* refused, and nothing happened to the cache */
	ASSERT_EQ(0, vmc_exists(fd, "k", 1, NULL));

	/* every open counts, the last one too */
	fd2 = open_dev();
	ASSERT_LE(0, fd2);
	close(fd);
	ASSERT_EQ(-EWOULDBLOCK, vmc_module_unload());
	ASSERT_EQ(0, vmc_exists(fd2, "k", 1, NULL));

	/* a descriptor inherited by another process counts as well */
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(pipefd[1]);
		/* hold fd2 until the parent closes the pipe */
		while (read(pipefd[0], &c, 1) > 0)
			;
		_exit(vmc_exists(fd2, "k", 1, NULL) ? 1 : 0);
	}
	close(pipefd[0]);
	close(fd2);
	ASSERT_EQ(-EWOULDBLOCK, vmc_module_unload());
	ASSERT_TRUE(vmc_module_loaded());
	close(pipefd[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	/* now nobody has it open */
	ASSERT_EQ(0, vmc_module_unload());
	ASSERT_FALSE(vmc_module_loaded());
	ASSERT_FALSE(sysfs_dir_exists());
	ASSERT_EQ(-ENOENT, vmc_module_unload());
}

TEST_F(module, reload_is_empty_with_defaults)
{
	struct vmemcache_stats st;
	uint64_t v;
	char buf[32];
	int fd = open_dev();

	ASSERT_LE(0, fd);
	/* leave a non-default, non-empty cache behind */
	ASSERT_EQ(0, vmc_config(2 << 20, 512, "none"));
	ASSERT_EQ(0, vmc_put_pattern(fd, "k", 1, 1000, 1, 0));
	ASSERT_EQ(0, vmc_get(fd, "k", 1, NULL, 0, 0, NULL, NULL));
	close(fd);

	ASSERT_EQ(0, vmc_module_unload());
	ASSERT_FALSE(vmc_module_loaded());
	ASSERT_FALSE(sysfs_dir_exists());
	ASSERT_GT(0, vmc_open());

	ASSERT_EQ(0, vmc_module_load(""));
	ASSERT_TRUE(vmc_module_loaded());
	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_stats(fd, &st));
	VMC_ASSERT_FRESH_STATS(st, VMC_DEFAULT_CAPACITY, VMC_DEFAULT_EXTENT);
	ASSERT_EQ(0u, st.puts);
	ASSERT_EQ(0u, st.gets);
	ASSERT_EQ(0u, st.evictions);
	ASSERT_EQ(-ENOENT, vmc_exists(fd, "k", 1, NULL));
	ASSERT_EQ(0, vmc_sysfs_read_u64("capacity", &v));
	ASSERT_EQ(VMC_DEFAULT_CAPACITY, v);
	ASSERT_EQ(0, vmc_sysfs_read_u64("extent_size", &v));
	ASSERT_EQ(VMC_DEFAULT_EXTENT, v);
	ASSERT_LT(0, vmc_sysfs_read("policy", buf, sizeof(buf)));
	ASSERT_STREQ("lru\n", buf);
	/* and it works */
	ASSERT_EQ(0, vmc_put_pattern(fd, "k", 1, 3000, 2, 0));
	VMC_ASSERT_VALUE(fd, "k", 1, 3000, 2);
	close(fd);
}

/*
 * Load, traffic, stop, unload, five times over: every cycle fills a cache
 * far too small for its values (on the backing of this pass), reads,
 * evicts, lists and makes a private cache, and the unload must work as soon
 * as the traffic stops.  Whatever a cycle leaks, kmemleak reports after the
 * suite (check.sh), in kernels that have it.
 */
TEST_F(module, reload_cycles_with_traffic)
{
	struct vmemcache_create cr = {
		.size = 1 << 20, .extent_size = 256,
		.policy = VMEMCACHE_POLICY_LRU,
	};
	struct vmemcache_list l;
	struct vmemcache_stats st;
	uint8_t listbuf[4096];
	unsigned int cycle, i;
	char key[32];
	int fd, pfd;

	for (cycle = 0; cycle < 5; cycle++) {
		fd = open_dev();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, vmc_config(2 << 20, 256, "lru"));
		for (i = 0; i < 600; i++) {
			uint32_t klen = vmc_key(key, sizeof(key), "cycle-", i);

			ASSERT_EQ(0, vmc_put_pattern(fd, key, klen, 1000 + i * 7,
						     vmc_seed(i, cycle), 0));
			if (i % 3 == 0)
				VMC_ASSERT_VALUE(fd, key, klen, 1000 + i * 7,
						 vmc_seed(i, cycle));
			if (i % 10 == 0)
				ASSERT_EQ(0, vmc_evict(fd, key, klen));
		}
		/* From the start: the last cycle's cursor means nothing now. */
		l = (struct vmemcache_list){
			.buf = vmc_ptr(listbuf), .buf_size = sizeof(listbuf),
		};
		ASSERT_EQ(0, vmc_ioctl(fd, VMEMCACHE_IOC_LIST, &l));
		ASSERT_LT(0U, l.count);
		ASSERT_EQ(0, vmc_stats(fd, &st));
		ASSERT_LT(0U, st.evictions);
		pfd = ioctl(fd, VMEMCACHE_IOC_CREATE, &cr);
		ASSERT_LE(0, pfd);
		ASSERT_EQ(0, vmc_put_pattern(pfd, "p", 1, 5000, cycle, 0));
		VMC_ASSERT_VALUE(pfd, "p", 1, 5000, cycle);
		close(pfd);
		close(fd);

		ASSERT_EQ(0, vmc_module_unload()) TH_LOG("cycle %u", cycle);
		ASSERT_FALSE(vmc_module_loaded());
		ASSERT_EQ(0, vmc_module_load(""));
	}
}

/*
 * A private cache holds the module even once /dev/vmemcache is closed; the
 * private_limit parameter sets the attribute.
 */
TEST_F(module, private_cache_holds_the_module)
{
	struct vmemcache_create cr = {
		.size = 1 << 20, .extent_size = 256,
		.policy = VMEMCACHE_POLICY_LRU,
	};
	uint64_t v;
	int fd = open_dev(), priv;

	ASSERT_LE(0, fd);
	priv = ioctl(fd, VMEMCACHE_IOC_CREATE, &cr);
	ASSERT_LE(0, priv);
	close(fd);
	ASSERT_EQ(0, vmc_put(priv, "k", 1, "v", 1, 0));
	ASSERT_EQ(-EWOULDBLOCK, vmc_module_unload());
	ASSERT_EQ(0, vmc_exists(priv, "k", 1, NULL));
	close(priv);
	ASSERT_EQ(0, vmc_module_unload());

	ASSERT_EQ(0, vmc_module_load("private_limit=5M"));
	ASSERT_EQ(0, vmc_sysfs_read_u64("private_limit", &v));
	ASSERT_EQ(5u << 20, v);
	ASSERT_EQ(0, vmc_sysfs_read_u64("private_caches", &v));
	ASSERT_EQ(0u, v);
	ASSERT_EQ(0, vmc_module_unload());
	ASSERT_EQ(-EINVAL, vmc_module_load("private_limit=lots"));
	ASSERT_EQ(0, vmc_module_load(""));
	/* The default: half of the RAM, so not 0. */
	ASSERT_EQ(0, vmc_sysfs_read_u64("private_limit", &v));
	ASSERT_LT(0u, v);
}

TEST_F(module, reload_with_params)
{
	struct vmemcache_stats st;
	uint64_t v;
	char buf[32];
	int fd;

	ASSERT_EQ(0, vmc_module_unload());
	ASSERT_EQ(0, vmc_module_load("capacity=2M extent_size=512 policy=none"));
	ASSERT_EQ(0, vmc_sysfs_read_u64("capacity", &v));
	ASSERT_EQ(2u << 20, v);
	ASSERT_EQ(0, vmc_sysfs_read_u64("extent_size", &v));
	ASSERT_EQ(512u, v);
	ASSERT_LT(0, vmc_sysfs_read("policy", buf, sizeof(buf)));
	ASSERT_STREQ("none\n", buf);
	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_stats(fd, &st));
	VMC_ASSERT_FRESH_STATS(st, 2u << 20, 512u);
	/* policy none is in force: a full cache refuses */
	ASSERT_EQ(0, vmc_put_pattern(fd, "all", 3, 2 << 20, 3, 0));
	ASSERT_EQ(-ENOSPC, vmc_put(fd, "x", 1, "x", 1, 0));
	ASSERT_EQ(-ESRCH, vmc_evict_lru(fd));
	VMC_ASSERT_VALUE(fd, "all", 3, 2 << 20, 3);
	close(fd);

	/* one parameter alone; the others keep their defaults */
	ASSERT_EQ(0, vmc_module_unload());
	ASSERT_EQ(0, vmc_module_load("capacity=3M"));
	ASSERT_EQ(0, vmc_sysfs_read_u64("capacity", &v));
	ASSERT_EQ(3u << 20, v);
	ASSERT_EQ(0, vmc_sysfs_read_u64("extent_size", &v));
	ASSERT_EQ(VMC_DEFAULT_EXTENT, v);
	ASSERT_LT(0, vmc_sysfs_read("policy", buf, sizeof(buf)));
	ASSERT_STREQ("lru\n", buf);
	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_stats(fd, &st));
	ASSERT_EQ(3u << 20, st.pool_size);
	close(fd);
	/* the teardown reloads the defaults */
}

TEST_F(module, bad_params_fail_the_load)
{
	static const char *const bad[] = {
		"policy=bogus", "extent_size=63", "extent_size=100",
		"capacity=1K", "capacity=abc", "capacity=1M extent_size=2097152",
	};
	unsigned int i;
	int ret;

	ASSERT_EQ(0, vmc_module_unload());
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ret = vmc_module_load(bad[i]);
		if (!ret)
			vmc_module_unload();
		ASSERT_GT(0, ret) TH_LOG("load with '%s' succeeded", bad[i]);
		ASSERT_FALSE(vmc_module_loaded()) TH_LOG("'%s'", bad[i]);
	}
	ASSERT_EQ(0, vmc_module_load(""));
	ASSERT_TRUE(vmc_module_loaded());
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * The sysfs attributes of the vmemcache device: reading them, every bad
 * value refused with the right errno and the setting unchanged, size
 * suffixes, EBUSY while the cache holds entries, reconfiguration in any
 * order while it is empty, reset, the configuration as the stats ioctl
 * reports it, and the file modes of the attributes and the device node.
 */
#include "vmc_test.h"

#include <sys/sysmacros.h>

VMC_FIXTURE(sysfs)

/* The attribute reads exactly as text. */
#define ASSERT_ATTR(attr, text) do {					\
	char __buf[128];						\
	ASSERT_LT(0, vmc_sysfs_read(attr, __buf, sizeof(__buf)))	\
		TH_LOG("read %s", attr);				\
	ASSERT_STREQ(text, __buf);					\
} while (0)

#define ASSERT_ATTR_U64(attr, val) do {					\
	uint64_t __v = 0;						\
	ASSERT_EQ(0, vmc_sysfs_read_u64(attr, &__v)) TH_LOG("read %s", attr); \
	ASSERT_EQ((uint64_t)(val), __v) TH_LOG("%s", attr);		\
} while (0)

/* The configuration as sysfs and the stats ioctl show it. */
#define ASSERT_CONFIG(fd, capacity, extent, policy) do {		\
	struct vmemcache_stats __st;					\
	uint64_t __cap = (capacity), __ext = (extent);			\
	ASSERT_ATTR_U64("capacity", __cap);				\
	ASSERT_ATTR_U64("extent_size", __ext);				\
	ASSERT_ATTR("policy", policy "\n");				\
	ASSERT_EQ(0, vmc_stats(fd, &__st));				\
	ASSERT_EQ(__cap - __cap % __ext, __st.pool_size);		\
	ASSERT_EQ(__ext, __st.extent_size);				\
} while (0)

static uint64_t mem_total(void)
{
	char line[256];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

TEST_F(sysfs, defaults)
{
	char buf[64];

	ASSERT_ATTR("capacity", "67108864\n");
	ASSERT_ATTR("extent_size", "256\n");
	ASSERT_ATTR("policy", "lru\n");
	ASSERT_CONFIG(self->fd, VMC_DEFAULT_CAPACITY, VMC_DEFAULT_EXTENT, "lru");
	/* reset is write-only */
	ASSERT_GT(0, vmc_sysfs_read("reset", buf, sizeof(buf)));
}

TEST_F(sysfs, modes)
{
	static const struct { const char *attr; mode_t mode; } attrs[] = {
		{ "capacity", 0644 }, { "extent_size", 0644 },
		{ "policy", 0644 }, { "backing_dev", 0644 },
		{ "reset", 0200 }, { "stat", 0444 },
		{ "mm_stat", 0444 }, { "io_stat", 0444 },
		{ "debug_stat", 0444 },
		{ "private_limit", 0644 }, { "private_used", 0444 },
		{ "private_caches", 0444 }, { "private_per_user", 0644 },
		{ "dram_limit", 0644 },
	};
	unsigned int i, major_, minor_;
	struct stat st;
	char buf[64];

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		ASSERT_EQ(0, stat(vmc_attr_path(attrs[i].attr), &st))
			TH_LOG("%s: %s", attrs[i].attr, strerror(errno));
		ASSERT_TRUE(S_ISREG(st.st_mode));
		ASSERT_EQ(attrs[i].mode, st.st_mode & 07777)
			TH_LOG("%s has mode %o", attrs[i].attr,
			       st.st_mode & 07777);
	}
	ASSERT_EQ(0, stat(vmc_dev_path(), &st))
		TH_LOG("%s: %s", vmc_dev_path(), strerror(errno));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(0600u, st.st_mode & 07777)
		TH_LOG("%s has mode %o", vmc_dev_path(), st.st_mode & 07777);
	/* and it is the device of this sysfs directory */
	ASSERT_LT(0, vmc_sysfs_read("dev", buf, sizeof(buf)));
	ASSERT_EQ(2, sscanf(buf, "%u:%u", &major_, &minor_));
	ASSERT_EQ(major_, major(st.st_rdev));
	ASSERT_EQ(minor_, minor(st.st_rdev));
}

TEST_F(sysfs, capacity_values)
{
	static const struct { const char *text; uint64_t bytes; } good[] = {
		{ "1048576", 1 << 20 },
		{ "1048577", (1 << 20) + 4096 },	/* rounded up to a page */
		{ "1052671", (1 << 20) + 4096 },
		{ "2M", 2 << 20 },
		{ "2m", 2 << 20 },
		{ "3M\n", 3 << 20 },
		{ "1024K", 1 << 20 },
		{ "2048k", 2 << 20 },
		{ "0x200000", 2 << 20 },
		{ "5000000", 5001216 },
		{ "64M", 64 << 20 },
	};
	static const char *const invalid[] = {
		"abc", "\n", "M", "0", "0M", "1", "4096", "1K", "1023K",
		"1048575", "-1", "-1M", "12abc", "1MB", "1.5M", "2M3", "2 M",
		"2MM", "0x", "1M\n\n",
	};
	/* too large for the machine, or for 64 bits */
	static const char *const huge[] = {
		"1T", "1024G", "18446744073709551615", "99999999999999999999",
		"16777216T", "17179869184G",
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		ASSERT_EQ(0, vmc_sysfs_write("capacity", good[i].text))
			TH_LOG("capacity '%s'", good[i].text);
		ASSERT_CONFIG(self->fd, good[i].bytes, VMC_DEFAULT_EXTENT, "lru");
	}
	ASSERT_EQ(0, vmc_sysfs_write("capacity", "2M"));
	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		ASSERT_EQ(-EINVAL, vmc_sysfs_write("capacity", invalid[i]))
			TH_LOG("capacity '%s'", invalid[i]);
		ASSERT_CONFIG(self->fd, 2 << 20, VMC_DEFAULT_EXTENT, "lru");
	}
	for (i = 0; i < ARRAY_SIZE(huge); i++) {
		ret = vmc_sysfs_write("capacity", huge[i]);
		ASSERT_TRUE(ret == -ENOMEM || ret == -EINVAL)
			TH_LOG("capacity '%s': %s", huge[i], strerror(-ret));
		ASSERT_CONFIG(self->fd, 2 << 20, VMC_DEFAULT_EXTENT, "lru");
	}
	/* and the cache still works at its old size */
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k", 1, 2 << 20, 1, 0));
	VMC_ASSERT_VALUE(self->fd, "k", 1, 2 << 20, 1);
}

/*
 * The T suffix (proved on private_limit, which allocates nothing) and the
 * bad values of the private caches' bounds; a refused write changes
 * nothing.
 */
TEST_F(sysfs, private_bounds_values)
{
	static const struct { const char *text; uint64_t bytes; } good[] = {
		{ "1T", 1ULL << 40 }, { "3t", 3ULL << 40 },
		{ "16777215T", 16777215ULL << 40 }, { "2G", 2ULL << 30 },
		{ "0", 0 },
	};
	static const char *const bad_limit[] = {
		"16777216T", "1TB", "1.5T", "T", "-1", "1T1",
	};
	static const char *const bad_per_user[] = {
		"abc", "-1", "1.5", "2K", "18446744073709551616",
	};
	uint64_t limit, per_user, v;
	unsigned int i;

	ASSERT_EQ(0, vmc_sysfs_read_u64("private_limit", &limit));
	ASSERT_EQ(0, vmc_sysfs_read_u64("private_per_user", &per_user));
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		ASSERT_EQ(0, vmc_sysfs_write("private_limit", good[i].text))
			TH_LOG("private_limit '%s'", good[i].text);
		ASSERT_EQ(0, vmc_sysfs_read_u64("private_limit", &v));
		ASSERT_EQ(good[i].bytes, v) TH_LOG("private_limit '%s'",
						   good[i].text);
	}
	ASSERT_EQ(0, vmc_sysfs_write("private_limit", "5G"));
	for (i = 0; i < ARRAY_SIZE(bad_limit); i++) {
		ASSERT_EQ(-EINVAL, vmc_sysfs_write("private_limit",
						   bad_limit[i]))
			TH_LOG("private_limit '%s'", bad_limit[i]);
		ASSERT_EQ(0, vmc_sysfs_read_u64("private_limit", &v));
		ASSERT_EQ(5ULL << 30, v);
	}
	ASSERT_EQ(0, vmc_sysfs_write("private_per_user", "7"));
	for (i = 0; i < ARRAY_SIZE(bad_per_user); i++) {
		ASSERT_EQ(-EINVAL, vmc_sysfs_write("private_per_user",
						   bad_per_user[i]))
			TH_LOG("private_per_user '%s'", bad_per_user[i]);
		ASSERT_EQ(0, vmc_sysfs_read_u64("private_per_user", &v));
		ASSERT_EQ(7U, v);
	}
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_limit", limit));
	ASSERT_EQ(0, vmc_sysfs_write_u64("private_per_user", per_user));
}

/* G, and the largest extent, when the machine has room for 1 GiB. */
TEST_F_TIMEOUT(sysfs, gigabyte, 120)
{
	uint64_t mem = mem_total();
	struct vmemcache_stats st;
	int ret;

	ASSERT_LT(0u, mem);
	ret = vmc_sysfs_write("capacity", "1G");
	if (mem < (3ULL << 30)) {
		/* 1 GiB is too much here: it must fail cleanly */
		TH_LOG("MemTotal %llu: 1G must be refused",
		       (unsigned long long)mem);
		ASSERT_TRUE(ret == -ENOMEM || ret == -EINVAL);
		ASSERT_CONFIG(self->fd, VMC_DEFAULT_CAPACITY,
			      VMC_DEFAULT_EXTENT, "lru");
		return;
	}
	ASSERT_EQ(0, ret);
	ASSERT_CONFIG(self->fd, 1ULL << 30, VMC_DEFAULT_EXTENT, "lru");
	ASSERT_EQ(-EINVAL, vmc_sysfs_write("extent_size", "1073741832"));
	ASSERT_EQ(0, vmc_sysfs_write("extent_size", "1073741824"));
	ASSERT_CONFIG(self->fd, 1ULL << 30, 1ULL << 30, "lru");
	/* one extent: any value takes all of it */
	ASSERT_EQ(0, vmc_put(self->fd, "k", 1, "v", 1, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(1ULL << 30, st.pool_used);
	ASSERT_EQ(0u, st.free_extents);
	ASSERT_EQ(0, vmc_reset());
	ASSERT_EQ(0, vmc_sysfs_write("extent_size", "256"));
	ASSERT_EQ(0, vmc_sysfs_write("capacity", "64M"));
	ASSERT_CONFIG(self->fd, VMC_DEFAULT_CAPACITY, VMC_DEFAULT_EXTENT, "lru");
}

TEST_F(sysfs, extent_size_values)
{
	static const struct { const char *text; uint64_t bytes; } good[] = {
		{ "64", 64 }, { "72", 72 }, { "1000", 1000 }, { "4096\n", 4096 },
		{ "65536", 65536 }, { "2097152", 2 << 20 }, { "256", 256 },
	};
	static const char *const invalid[] = {
		"0", "8", "56", "63", "65", "100", "4097", "abc", "\n", "-64",
		"64abc", "1073741832", "4294967296", "4294967360",
		"2097160",	/* > capacity */
		"4194304",	/* > capacity */
	};
	unsigned int i;

	ASSERT_EQ(0, vmc_sysfs_write("capacity", "2M"));
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		ASSERT_EQ(0, vmc_sysfs_write("extent_size", good[i].text))
			TH_LOG("extent_size '%s'", good[i].text);
		ASSERT_CONFIG(self->fd, 2 << 20, good[i].bytes, "lru");
	}
	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		ASSERT_EQ(-EINVAL, vmc_sysfs_write("extent_size", invalid[i]))
			TH_LOG("extent_size '%s'", invalid[i]);
		ASSERT_CONFIG(self->fd, 2 << 20, 256, "lru");
	}
	/* a capacity below the extent size is refused too */
	ASSERT_EQ(0, vmc_sysfs_write("extent_size", "2097152"));
	ASSERT_EQ(-EINVAL, vmc_sysfs_write("capacity", "1M"));
	ASSERT_CONFIG(self->fd, 2 << 20, 2 << 20, "lru");
	/* the pool is the capacity rounded down to whole extents */
	ASSERT_EQ(0, vmc_sysfs_write("extent_size", "1000"));
	ASSERT_EQ(0, vmc_sysfs_write("capacity", "1048577"));
	ASSERT_CONFIG(self->fd, 1052672, 1000, "lru");
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "k", 1, 1052000, 3, 0));
	VMC_ASSERT_VALUE(self->fd, "k", 1, 1052000, 3);
}

TEST_F(sysfs, policy_values)
{
	static const char *const invalid[] = {
		"\n", "l", "lr", "lruu", "nonee", "non", "fifo", "lfu",
		"lru none", "lru\n\n", " lru", "lru ", "none\n\n", "lru\t",
	};
	unsigned int i;

	ASSERT_EQ(0, vmc_sysfs_write("policy", "none"));
	ASSERT_ATTR("policy", "none\n");
	ASSERT_EQ(0, vmc_sysfs_write("policy", "lru"));
	ASSERT_ATTR("policy", "lru\n");
	ASSERT_EQ(0, vmc_sysfs_write("policy", "none\n"));
	ASSERT_ATTR("policy", "none\n");
	ASSERT_EQ(0, vmc_sysfs_write("policy", "lru\n"));
	ASSERT_ATTR("policy", "lru\n");
	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		ASSERT_EQ(-EINVAL, vmc_sysfs_write("policy", invalid[i]))
			TH_LOG("policy '%s'", invalid[i]);
		ASSERT_ATTR("policy", "lru\n");
	}
	ASSERT_EQ(0, vmc_sysfs_write("policy", "none"));
	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		ASSERT_EQ(-EINVAL, vmc_sysfs_write("policy", invalid[i]))
			TH_LOG("policy '%s'", invalid[i]);
	}
	ASSERT_ATTR("policy", "none\n");
	/* and it is in force: nothing for the policy to evict */
	ASSERT_EQ(0, vmc_put(self->fd, "k", 1, "v", 1, 0));
	ASSERT_EQ(-ESRCH, vmc_evict_lru(self->fd));
}

TEST_F(sysfs, reset_values)
{
	static const char *const invalid[] = {
		"0", "2", "-1", "11", "yes", "\n", "1 ", "1\n\n", "one",
	};
	struct vmemcache_stats st;
	unsigned int i;

	ASSERT_EQ(0, vmc_put(self->fd, "k", 1, "v", 1, 0));
	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		ASSERT_EQ(-EINVAL, vmc_sysfs_write("reset", invalid[i]))
			TH_LOG("reset '%s'", invalid[i]);
		ASSERT_EQ(0, vmc_exists(self->fd, "k", 1, NULL));
	}
	ASSERT_EQ(0, vmc_sysfs_write("reset", "1\n"));
	ASSERT_EQ(-ENOENT, vmc_exists(self->fd, "k", 1, NULL));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(0u, st.entries);
	/* reset of an empty cache is fine */
	ASSERT_EQ(0, vmc_sysfs_write("reset", "1"));
}

TEST_F(sysfs, reset_empties)
{
	struct vmemcache_stats st;
	char key[32];
	uint32_t klen;
	unsigned int i;

	ASSERT_EQ(0, vmc_sysfs_write("capacity", "3M"));
	ASSERT_EQ(0, vmc_sysfs_write("extent_size", "512"));
	ASSERT_EQ(0, vmc_sysfs_write("policy", "none"));
	for (i = 0; i < 20; i++) {
		klen = vmc_key(key, sizeof(key), "r", i);
		ASSERT_EQ(0, vmc_put_pattern(self->fd, key, klen, 1000 * i + 1,
					     i, 0));
	}
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(20u, st.entries);
	ASSERT_LT(0u, st.pool_used);

	ASSERT_EQ(0, vmc_reset());
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(0u, st.entries);
	ASSERT_EQ(0u, st.pool_used);
	ASSERT_EQ(1u, st.free_extents);
	for (i = 0; i < 20; i++) {
		klen = vmc_key(key, sizeof(key), "r", i);
		ASSERT_EQ(-ENOENT, vmc_exists(self->fd, key, klen, NULL));
	}
	/*
	 * The configuration stays and the cache works on; a DAX device is
	 * released, and the pool goes back to DRAM of the load-time size.
	 */
	if (*vmc_backing()) {
		ASSERT_CONFIG(self->fd, VMC_DEFAULT_CAPACITY, 512, "none");
	} else {
		ASSERT_CONFIG(self->fd, 3 << 20, 512, "none");
	}
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "after", 5, 3 << 20, 9, 0));
	VMC_ASSERT_VALUE(self->fd, "after", 5, 3 << 20, 9);
}

TEST_F(sysfs, busy_while_not_empty)
{
	static const struct { const char *attr, *text; } writes[] = {
		{ "capacity", "67108864" }, { "capacity", "64M" },
		{ "capacity", "2M" }, { "extent_size", "256" },
		{ "extent_size", "512" }, { "policy", "lru" },
		{ "policy", "none" }, { "policy", "none\n" },
	};
	char line[128];
	unsigned int i;
	int kmsg;

	kmsg = vmc_kmsg_open();
	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, vmc_put(self->fd, "k", 1, "v", 1, 0));
	for (i = 0; i < ARRAY_SIZE(writes); i++) {
		ASSERT_EQ(-EBUSY, vmc_sysfs_write(writes[i].attr, writes[i].text))
			TH_LOG("%s '%s'", writes[i].attr, writes[i].text);
		/* one line in the kernel log, naming the attribute */
		snprintf(line, sizeof(line),
			 "%s cannot change while the cache holds entries",
			 writes[i].attr);
		ASSERT_EQ(1, vmc_kmsg_count(kmsg, line))
			TH_LOG("%s '%s'", writes[i].attr, writes[i].text);
		ASSERT_CONFIG(self->fd, VMC_DEFAULT_CAPACITY,
			      VMC_DEFAULT_EXTENT, "lru");
		ASSERT_EQ(0, vmc_exists(self->fd, "k", 1, NULL));
	}
	/* empty again (by eviction): allowed */
	ASSERT_EQ(0, vmc_evict(self->fd, "k", 1));
	close(kmsg);
	ASSERT_EQ(0, vmc_sysfs_write("capacity", "2M"));
	ASSERT_EQ(0, vmc_sysfs_write("extent_size", "512"));
	ASSERT_EQ(0, vmc_sysfs_write("policy", "none"));
	ASSERT_CONFIG(self->fd, 2 << 20, 512, "none");
	/* busy again, then empty by reset: allowed */
	ASSERT_EQ(0, vmc_put(self->fd, "k", 1, "v", 1, 0));
	ASSERT_EQ(-EBUSY, vmc_sysfs_write("policy", "lru"));
	ASSERT_EQ(-EBUSY, vmc_sysfs_write("capacity", "64M"));
	ASSERT_EQ(-EBUSY, vmc_sysfs_write("extent_size", "256"));
	ASSERT_CONFIG(self->fd, 2 << 20, 512, "none");
	ASSERT_EQ(0, vmc_reset());
	ASSERT_EQ(0, vmc_sysfs_write("policy", "lru"));
	ASSERT_EQ(0, vmc_sysfs_write("capacity", "64M"));
	ASSERT_EQ(0, vmc_sysfs_write("extent_size", "256"));
	ASSERT_CONFIG(self->fd, VMC_DEFAULT_CAPACITY, VMC_DEFAULT_EXTENT, "lru");
}

/* From the defaults to 2M/4096/none and back, in every order. */
TEST_F(sysfs, any_order_when_empty)
{
	static const char *const attrs[3] = { "capacity", "extent_size",
					      "policy" };
	static const char *const to[3] = { "2M", "4096", "none" };
	static const char *const back[3] = { "64M", "256", "lru" };
	static const unsigned int perms[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	unsigned int p, i, a;

	for (p = 0; p < 6; p++) {
		for (i = 0; i < 3; i++) {
			a = perms[p][i];
			ASSERT_EQ(0, vmc_sysfs_write(attrs[a], to[a]))
				TH_LOG("order %u: %s", p, attrs[a]);
		}
		ASSERT_CONFIG(self->fd, 2 << 20, 4096, "none");
		ASSERT_EQ(0, vmc_put(self->fd, "k", 1, "v", 1, 0));
		ASSERT_EQ(0, vmc_reset());
		for (i = 0; i < 3; i++) {
			a = perms[p][2 - i];
			ASSERT_EQ(0, vmc_sysfs_write(attrs[a], back[a]))
				TH_LOG("order %u back: %s", p, attrs[a]);
		}
		ASSERT_CONFIG(self->fd, VMC_DEFAULT_CAPACITY,
			      VMC_DEFAULT_EXTENT, "lru");
	}
}

/* A reconfigured pool is usable to its last byte. */
TEST_F(sysfs, capacity_in_stats)
{
	struct vmemcache_stats st;

	ASSERT_EQ(0, vmc_sysfs_write("capacity", "3M"));
	ASSERT_EQ(0, vmc_sysfs_write("extent_size", "4096"));
	ASSERT_EQ(0, vmc_sysfs_write("policy", "none"));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(3u << 20, st.pool_size);
	ASSERT_EQ(4096u, st.extent_size);
	ASSERT_EQ(1u, st.free_extents);
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "a", 1, (3 << 20) - 4096, 1, 0));
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "b", 1, 4096, 2, 0));
	ASSERT_EQ(-ENOSPC, vmc_put(self->fd, "c", 1, "c", 1, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(st.pool_size, st.pool_used);
	VMC_ASSERT_VALUE(self->fd, "a", 1, (3 << 20) - 4096, 1);
	VMC_ASSERT_VALUE(self->fd, "b", 1, 4096, 2);

	ASSERT_EQ(0, vmc_reset());
	ASSERT_EQ(0, vmc_sysfs_write("capacity", "1M"));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(1u << 20, st.pool_size);
	ASSERT_EQ(-ENOSPC, vmc_put_pattern(self->fd, "a", 1, (1 << 20) + 1, 1, 0));
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "a", 1, 1 << 20, 1, 0));
}

static const char *const stat_files[] = {
	"puts", "gets", "hits", "misses", "evictions", "entries",
	"pool_used", "dram_used", "free_extents", "pool_size",
	"lru_lock_acquired", "lru_lock_contended",
	"alloc_lock_acquired", "alloc_lock_contended", "poisoned",
};

/* stats/<counter> and stat agree with the ioctl, counter by counter. */
TEST_F(sysfs, statistics_files)
{
	uint64_t v[10], file, before, after;
	struct vmemcache_stats st;
	char path[64], line[256];
	struct stat sb;
	unsigned int i;

	ASSERT_EQ(0, vmc_put_pattern(self->fd, "s1", 2, 1000, 1, 0));
	ASSERT_EQ(0, vmc_get_check(self->fd, "s1", 2, 1000, 1));
	ASSERT_EQ(-ENOENT, vmc_get(self->fd, "s2", 2, NULL, 0, 0, NULL, NULL));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));

	for (i = 0; i < sizeof(stat_files) / sizeof(stat_files[0]); i++) {
		snprintf(path, sizeof(path), "stats/%s", stat_files[i]);
		ASSERT_EQ(0, stat(vmc_attr_path(path), &sb)) TH_LOG("%s", path);
		ASSERT_EQ(0444u, sb.st_mode & 07777) TH_LOG("%s", path);
		ASSERT_EQ(0, vmc_sysfs_read_u64(path, &file)) TH_LOG("%s", path);
	}
	/* Counters that nothing else changes between the two reads. */
	ASSERT_EQ(0, vmc_sysfs_read_u64("stats/entries", &file));
	ASSERT_EQ(st.entries, file);
	ASSERT_EQ(0, vmc_sysfs_read_u64("stats/pool_used", &file));
	ASSERT_EQ(st.pool_used, file);
	ASSERT_EQ(0, vmc_sysfs_read_u64("stats/hits", &file));
	ASSERT_EQ(st.hits, file);
	ASSERT_EQ(0, vmc_sysfs_read_u64("stats/misses", &file));
	ASSERT_EQ(st.misses, file);
	ASSERT_EQ(0, vmc_sysfs_read_u64("stats/pool_size", &file));
	ASSERT_EQ(st.pool_size, file);
	ASSERT_EQ(0, vmc_sysfs_read_u64("stats/poisoned", &file));
	ASSERT_EQ(st.poisoned, file);

	ASSERT_LT(0, vmc_sysfs_read("stat", line, sizeof(line)));
	ASSERT_EQ(10, sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
			     " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
			     &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			     &v[7], &v[8], &v[9])) TH_LOG("stat: %s", line);
	ASSERT_EQ(st.puts, v[0]);
	ASSERT_EQ(st.gets, v[1]);
	ASSERT_EQ(st.hits, v[2]);
	ASSERT_EQ(st.misses, v[3]);
	ASSERT_EQ(st.evictions, v[4]);
	ASSERT_EQ(st.entries, v[5]);
	ASSERT_EQ(st.pool_used, v[6]);
	ASSERT_EQ(st.dram_used, v[7]);
	ASSERT_EQ(st.free_extents, v[8]);
	ASSERT_EQ(st.pool_size, v[9]);

	/* A get moves the file's counter. */
	ASSERT_EQ(0, vmc_sysfs_read_u64("stats/gets", &before));
	ASSERT_EQ(0, vmc_get_check(self->fd, "s1", 2, 1000, 1));
	ASSERT_EQ(0, vmc_sysfs_read_u64("stats/gets", &after));
	ASSERT_EQ(before + 1, after);
}

/* Read a one-line statistics file into v[0..n-1]: 0 or -1. */
static int read_stat_line(const char *attr, uint64_t *v, int n)
{
	char line[512], *p = line, *end;
	int i;

	if (vmc_sysfs_read(attr, line, sizeof(line)) <= 0)
		return -1;
	for (i = 0; i < n; i++) {
		errno = 0;
		v[i] = strtoull(p, &end, 10);
		if (errno || end == p)
			return -1;
		p = end;
	}
	return strcmp(p, "\n") ? -1 : 0;
}

/* mm_stat and io_stat: their columns agree with the ioctl. */
TEST_F(sysfs, mm_stat_io_stat)
{
	struct vmemcache_stats st;
	uint64_t mm[7], io[6], limit;

	ASSERT_EQ(0, vmc_put_pattern(self->fd, "m1", 2, 3000, 1, 0));
	ASSERT_EQ(0, vmc_get_check(self->fd, "m1", 2, 3000, 1));
	ASSERT_EQ(-ENOENT, vmc_get(self->fd, "m2", 2, NULL, 0, 0, NULL, NULL));
	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_EQ(0, vmc_sysfs_read_u64("dram_limit", &limit));

	ASSERT_EQ(0, read_stat_line("mm_stat", mm, 7));
	ASSERT_EQ(st.pool_size, mm[0]);
	ASSERT_EQ(st.pool_used, mm[1]);
	ASSERT_EQ(st.dram_used, mm[2]);
	ASSERT_EQ(limit, mm[3]);
	ASSERT_EQ(st.entries, mm[4]);
	ASSERT_EQ(1u, mm[4]);
	ASSERT_EQ(st.free_extents, mm[5]);
	ASSERT_EQ(st.poisoned, mm[6]);

	ASSERT_EQ(0, read_stat_line("io_stat", io, 6));
	ASSERT_EQ(st.puts, io[0]);
	ASSERT_EQ(st.gets, io[1]);
	ASSERT_EQ(st.hits, io[2]);
	ASSERT_EQ(st.misses, io[3]);
	ASSERT_EQ(st.evictions, io[4]);
}

/* debug_stat: a version line, then the lock counters. */
TEST_F(sysfs, debug_stat)
{
	struct vmemcache_stats st;
	char buf[512];
	uint64_t v[4];
	int ver = 0, n = 0;

	ASSERT_EQ(0, vmc_stats(self->fd, &st));
	ASSERT_LT(0, vmc_sysfs_read("debug_stat", buf, sizeof(buf)));
	ASSERT_EQ(5, sscanf(buf, "version: %d\n%" SCNu64 " %" SCNu64 " %" SCNu64
			    " %" SCNu64 "%n", &ver, &v[0], &v[1], &v[2], &v[3], &n))
		TH_LOG("debug_stat: %s", buf);
	ASSERT_EQ(1, ver);
	ASSERT_STREQ("\n", buf + n);
	/* Nothing ran since the ioctl but reads, which take no lock. */
	ASSERT_EQ(st.lru_lock_acquired, v[0]);
	ASSERT_LE(v[1], v[0]);
	ASSERT_LE(v[3], v[2]);
}

/*
 * Reading the statistics takes no lock of the cache's: it does not drain
 * the policy's per-CPU buffers, so gets recorded in them stay there and
 * the LRU list lock is not taken, however often anyone reads.
 */
TEST_F(sysfs, statistics_read_takes_no_lock)
{
	static const char *const files[] = {
		"mm_stat", "io_stat", "debug_stat", "stat", "stats/pool_used",
		"stats/entries", "stats/lru_lock_acquired",
	};
	struct vmemcache_stats before, after;
	char buf[512];
	unsigned int i, j;

	ASSERT_EQ(0, vmc_pin_one_cpu());
	ASSERT_EQ(0, vmc_put_pattern(self->fd, "n1", 2, 1000, 1, 0));
	ASSERT_EQ(0, vmc_stats(self->fd, &before));	/* drains */
	for (i = 0; i < 8; i++) {
		/* A hit records the entry in this CPU's ring (64 slots). */
		ASSERT_EQ(0, vmc_get_check(self->fd, "n1", 2, 1000, 1));
		for (j = 0; j < sizeof(files) / sizeof(files[0]); j++)
			ASSERT_LT(0, vmc_sysfs_read(files[j], buf, sizeof(buf)))
				TH_LOG("file %u", j);
	}
	ASSERT_EQ(0, vmc_stats(self->fd, &after));	/* drains once */
	ASSERT_EQ(before.lru_lock_acquired + 1, after.lru_lock_acquired);
}

/* Monitoring needs no root: an unprivileged user reads the statistics. */
TEST_F(sysfs, statistics_readable_by_anyone)
{
	char line[256];
	uint64_t v;
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (vmc_sysfs_read("stat", line, sizeof(line)) <= 0)
			_exit(11);
		if (vmc_sysfs_read_u64("stats/hits", &v))
			_exit(12);
		if (vmc_sysfs_read("mm_stat", line, sizeof(line)) <= 0 ||
		    vmc_sysfs_read("io_stat", line, sizeof(line)) <= 0 ||
		    vmc_sysfs_read("debug_stat", line, sizeof(line)) <= 0)
			_exit(15);
		/* ... but may neither configure nor open the device. */
		if (vmc_sysfs_write("reset", "1") != -EACCES)
			_exit(13);
		if (vmc_open() != -EACCES)
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("step %d failed as nobody",
					       WEXITSTATUS(status));
}

TEST_HARNESS_MAIN

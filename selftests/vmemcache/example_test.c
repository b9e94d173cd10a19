// SPDX-License-Identifier: GPL-2.0
/*
 * The example of Intel's libvmemcache 0.8 (pmem/vmemcache tests/example.c),
 * kept verbatim in lib/examples/vmemcache-example.c and compiled unchanged
 * against libvmemcache-kdev (its main() renamed by the build only), runs
 * here on a private DRAM cache in /tmp and must print what it prints with
 * libvmemcache.  So does the README example of the releases before 0.8
 * (lib/examples/vmemcache-readme-example.c), which makes its cache with
 * the four-argument vmemcache_new("/tmp", VMEMCACHE_MIN_POOL,
 * VMEMCACHE_MIN_EXTENT, VMEMCACHE_REPLACEMENT_LRU).
 */
#include "vmc_test.h"

int seed_example_main(void);
int readme_example_main(void);

static const char expected[] =
	"(key not found: meow)\n"
	"Lorem ipsum\n"
	"Cthulhu fthagn\n";

TEST(seed_example)
{
	char out[256] = { 0 }, copy[256], *line, *save = NULL;
	int fd, saved, ret;
	ssize_t n;

	ASSERT_EQ(0, vmc_restore_defaults());
	fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ASSERT_LE(0, saved);
	ASSERT_EQ(STDOUT_FILENO, dup2(fd, STDOUT_FILENO));
	ret = seed_example_main();
	fflush(stdout);
	ASSERT_EQ(STDOUT_FILENO, dup2(saved, STDOUT_FILENO));
	close(saved);
	ASSERT_EQ(0, ret);
	n = pread(fd, out, sizeof(out) - 1, 0);
	close(fd);
	ASSERT_LT(0, n);
	memcpy(copy, out, sizeof(copy));
	fprintf(stderr, "# the example printed:\n");
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "#   %s\n", line);
	ASSERT_STREQ(expected, out);
}

/* It puts "foo" and gets "bar" back; its main() returns 0 if so. */
TEST(readme_example_four_arguments)
{
	struct vmemcache_stats before, after;
	uint64_t caches = 1;
	int fd;

	ASSERT_EQ(0, vmc_restore_defaults());
	fd = vmc_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmc_stats(fd, &before));
	ASSERT_EQ(0, readme_example_main());
	/* it used a private cache of its own, gone with vmemcache_delete() */
	ASSERT_EQ(0, vmc_sysfs_read_u64("private_caches", &caches));
	ASSERT_EQ(0U, caches);
	/* and left the shared cache alone (earlier tests may have used it) */
	ASSERT_EQ(0, vmc_stats(fd, &after));
	EXPECT_EQ(before.puts, after.puts);
	EXPECT_EQ(before.gets, after.gets);
	close(fd);
}

TEST_HARNESS_MAIN

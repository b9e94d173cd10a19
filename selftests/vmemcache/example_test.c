// SPDX-License-Identifier: GPL-2.0
/*
 * The example of Intel's libvmemcache 0.8 (pmem/vmemcache tests/example.c),
 * kept verbatim in lib/examples/vmemcache-example.c and compiled unchanged
 * against libvmemcache-kdev (its main() renamed by the build only), runs
 * here on a private DRAM cache in /tmp and must print what it prints with
 * libvmemcache.
 */
#include "vmc_test.h"

int seed_example_main(void);

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

TEST_HARNESS_MAIN

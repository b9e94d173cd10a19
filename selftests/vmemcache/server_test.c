// SPDX-License-Identifier: GPL-2.0
/*
 * server_test -- vmemcached, the memcached-protocol server, in the guest:
 * Debian's memcached clients (libmemcached-tools) against it, and against
 * Debian's memcached for reference.  The host copies the programs into
 * /vmc/bin (run.sh: tools/vmemcached/vmemcached; scripts/check puts
 * memccapable, memccp, memccat and memcached in GUEST_EXTRA_FILES); a
 * test whose program is missing is skipped.
 *
 * The server keeps a private DRAM cache whatever VMEMCACHE_BACKING says,
 * so the tests that use one run on the DRAM pass only; the shared-cache
 * test runs on both.
 */
#include "vmc_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define PORT_VMCD 21211
#define PORT_MEMCACHED 21212

static bool have(const char *prog)
{
	char path[256];
	const char *p = getenv("PATH");
	const char *s;

	if (!p)
		p = "/vmc/bin:/bin:/usr/bin";
	while (*p) {
		s = strchr(p, ':');
		snprintf(path, sizeof(path), "%.*s/%s",
			 (int)(s ? s - p : (long)strlen(p)), p, prog);
		if (!access(path, X_OK))
			return true;
		if (!s)
			break;
		p = s + 1;
	}
	return false;
}

/* A connected socket to 127.0.0.1:@port, retried for up to 10 s; or -1. */
static int connect_port(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int i, fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 200; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return -1;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		usleep(50000);
	}
	return -1;
}

/* Start @argv in the background; waits until @port accepts. */
static pid_t start(char *const argv[], int port)
{
	pid_t pid = fork();
	int fd;

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	fd = connect_port(port);
	if (fd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(fd);
	return pid;
}

/* SIGTERM @pid and return its exit status (-1 if it did not exit). */
static int stop(pid_t pid)
{
	int st, i;

	kill(pid, SIGTERM);
	for (i = 0; i < 100; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* Run a command to the end; its output (up to @size) in @out. */
static int run(char *const argv[], char *out, size_t size)
{
	int p[2], st;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = 0;
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Send @req and read until the reply ends with @end; 0 or -1. */
static int chat(int fd, const char *req, const char *end, char *out,
		size_t size)
{
	size_t len = 0, el = strlen(end);
	ssize_t n;

	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		return -1;
	while (len < size - 1) {
		n = read(fd, out + len, size - 1 - len);
		if (n <= 0)
			return -1;
		len += n;
		out[len] = 0;
		if (len >= el && !strcmp(out + len - el, end))
			return 0;
	}
	return -1;
}

static bool dram_pass(void)
{
	return !*vmc_backing();
}

static int memccapable(struct __test_metadata *_metadata, int port)
{
	static char out[16384];
	char portstr[16];
	char *argv[] = { "memccapable", "-a", "-t", "20", "-h", "127.0.0.1",
			 "-p", portstr, NULL };
	int rc;

	char *line, *save = NULL;
	int passed = 0;

	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = run(argv, out, sizeof(out));
	if (rc || strstr(out, "FAIL")) {
		TH_LOG("memccapable -a on port %d: exit %d", port, rc);
		for (line = strtok_r(out, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			TH_LOG("  %s", line);
		return rc ? rc : 1;
	}
	for (line = out; (line = strstr(line, "[pass]")); line++)
		passed++;
	TH_LOG("memccapable -a on port %d: %d ASCII tests passed", port,
	       passed);
	/* libmemcached 1.1.4 has 27 ASCII tests */
	EXPECT_LE(27, passed);
	return rc;
}

/* Every ASCII test of memccapable passes against vmemcached. */
TEST(memccapable_vmemcached)
{
	char *argv[] = { "vmemcached", "-p", "21211", "-m", "32", "-t", "2",
			 "-U", "0", NULL };
	pid_t pid;

	if (!dram_pass())
		SKIP(return, "the server's cache is private DRAM: DRAM pass only");
	if (!have("vmemcached") || !have("memccapable"))
		SKIP(return, "vmemcached or memccapable not in the guest");
	pid = start(argv, PORT_VMCD);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, memccapable(_metadata, PORT_VMCD));
	EXPECT_EQ(0, stop(pid));
}

/* The same run against Debian's memcached, the reference. */
TEST(memccapable_memcached)
{
	char *argv[] = { "memcached", "-u", "root", "-l", "127.0.0.1", "-p",
			 "21212", "-U", "0", "-m", "32", "-t", "2", NULL };
	pid_t pid;

	if (!dram_pass())
		SKIP(return, "reference run: DRAM pass only");
	if (!have("memcached") || !have("memccapable"))
		SKIP(return, "memcached or memccapable not in the guest");
	pid = start(argv, PORT_MEMCACHED);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, memccapable(_metadata, PORT_MEMCACHED));
	stop(pid);
}

/*
 * -m makes a private cache of that size (stats limit_maxbytes is its
 * pool); memccp stores a file that memccat reads back unchanged, and an
 * item with a TTL of 1 s is gone 2 s later.
 */
TEST(private_cache_clients)
{
	char *argv[] = { "vmemcached", "-p", "21211", "-m", "16", NULL };
	char *cp[] = { "memccp", "--servers=127.0.0.1:21211",
		       "/tmp/vmcd-file", NULL };
	char *cat[] = { "memccat", "--servers=127.0.0.1:21211", "vmcd-file",
			NULL };
	static char out[65536], data[20000];
	FILE *f;
	pid_t pid;
	int fd;

	if (!dram_pass())
		SKIP(return, "DRAM pass only");
	if (!have("vmemcached"))
		SKIP(return, "vmemcached not in the guest");
	pid = start(argv, PORT_VMCD);
	ASSERT_LT(0, pid);
	fd = connect_port(PORT_VMCD);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, chat(fd, "set k 7 1 5\r\nhello\r\nget k\r\n", "END\r\n",
			  out, sizeof(out)));
	EXPECT_STREQ("STORED\r\nVALUE k 7 5\r\nhello\r\nEND\r\n", out);
	ASSERT_EQ(0, chat(fd, "stats\r\n", "END\r\n", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "STAT limit_maxbytes 16777216\r\n"));
	EXPECT_NE(NULL, strstr(out, "STAT curr_items 1\r\n"));
	sleep(2);
	ASSERT_EQ(0, chat(fd, "get k\r\n", "END\r\n", out, sizeof(out)));
	EXPECT_STREQ("END\r\n", out);
	close(fd);
	if (have("memccp") && have("memccat")) {
		vmc_fill(data, sizeof(data), 42);
		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = 'a' + (unsigned char)data[i] % 26;
		f = fopen("/tmp/vmcd-file", "w");
		ASSERT_NE(NULL, f);
		ASSERT_EQ((size_t)1, fwrite(data, sizeof(data), 1, f));
		fclose(f);
		EXPECT_EQ(0, run(cp, out, sizeof(out))) TH_LOG("%s", out);
		EXPECT_EQ(0, run(cat, out, sizeof(out)));
		EXPECT_EQ(0, memcmp(out, data, sizeof(data)));
		unlink("/tmp/vmcd-file");
	} else {
		TH_LOG("memccp/memccat not in the guest: not run");
	}
	EXPECT_EQ(0, stop(pid));
}

/*
 * --shared stores in /dev/vmemcache: the entry is visible through the
 * device, its value the 24-byte header and the client's bytes; delete
 * removes it.
 */
TEST(shared_cache)
{
	char *argv[] = { "vmemcached", "--shared", "-p", "21211", NULL };
	static char out[4096];
	uint64_t size = 0;
	int fd, dev;
	pid_t pid;

	if (!have("vmemcached"))
		SKIP(return, "vmemcached not in the guest");
	dev = vmc_open();
	ASSERT_LE(0, dev);
	pid = start(argv, PORT_VMCD);
	ASSERT_LT(0, pid);
	fd = connect_port(PORT_VMCD);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, chat(fd, "set shared-key 0 0 5\r\nhello\r\n", "\r\n",
			  out, sizeof(out)));
	EXPECT_STREQ("STORED\r\n", out);
	EXPECT_EQ(0, vmc_exists(dev, "shared-key", 10, &size));
	EXPECT_EQ(24ULL + 5, size);
	ASSERT_EQ(0, chat(fd, "delete shared-key\r\n", "\r\n", out,
			  sizeof(out)));
	EXPECT_STREQ("DELETED\r\n", out);
	EXPECT_EQ(-ENOENT, vmc_exists(dev, "shared-key", 10, &size));
	close(fd);
	close(dev);
	EXPECT_EQ(0, stop(pid));
}

TEST_HARNESS_MAIN

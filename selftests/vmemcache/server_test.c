// SPDX-License-Identifier: GPL-2.0
/*
 * server_test -- vmemcached, the memcached-protocol server, in the guest:
 * Debian's memcached clients (libmemcached-tools) against it, and against
 * Debian's memcached for reference.  The host copies the programs into
 * /vmc/bin (run.sh: tools/vmemcached/vmemcached; scripts/check puts
 * memccapable, memccp, memccat, memcached, nutcracker and iproute2's ip
 * in GUEST_EXTRA_FILES); a test whose program is missing is skipped.
 * The cluster test also needs veth.ko, which run.sh loads at boot.
 *
 * The server keeps a private DRAM cache whatever VMEMCACHE_BACKING says,
 * so the tests that use one run on the DRAM pass only; the shared-cache
 * test runs on both.
 */
#include "vmc_test.h"

#include <arpa/inet.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#define PORT_VMCD 21211
#define PORT_MEMCACHED 21212

/* @prog's path along $PATH in @path, or NULL. */
static const char *which(const char *prog, char *path, size_t size)
{
	const char *p = getenv("PATH");
	const char *s;

	if (!p)
		p = "/vmc/bin:/bin:/usr/bin";
	while (*p) {
		s = strchr(p, ':');
		snprintf(path, size, "%.*s/%s",
			 (int)(s ? s - p : (long)strlen(p)), p, prog);
		if (!access(path, X_OK))
			return path;
		if (!s)
			break;
		p = s + 1;
	}
	return NULL;
}

static bool have(const char *prog)
{
	char path[256];

	return which(prog, path, sizeof(path));
}

/* A connected socket to @addr:@port, @tries times 50 ms apart; or -1. */
static int connect_try(const char *addr, int port, int tries)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int i, fd;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return -1;
	for (i = 0; i < tries; i++) {
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

/* A connected socket to @addr:@port, retried for up to 10 s; or -1. */
static int connect_addr(const char *addr, int port)
{
	return connect_try(addr, port, 200);
}

static int connect_port(int port)
{
	return connect_addr("127.0.0.1", port);
}

/*
 * Start @argv in the background, in the network namespace @ns (a name
 * under /run/netns) unless it is NULL; waits until @addr:@port accepts.
 */
static pid_t start_in(const char *ns, char *const argv[], const char *addr,
		      int port)
{
	char path[128];
	pid_t pid = fork();
	int fd;

	if (pid == 0) {
		if (ns) {
			snprintf(path, sizeof(path), "/run/netns/%s", ns);
			fd = open(path, O_RDONLY);
			if (fd < 0 || setns(fd, CLONE_NEWNET))
				_exit(126);
			close(fd);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	fd = connect_addr(addr, port);
	if (fd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(fd);
	return pid;
}

/* Start @argv in the background; waits until @port accepts. */
static pid_t start(char *const argv[], int port)
{
	return start_in(NULL, argv, "127.0.0.1", port);
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
 * item with a TTL of 2 s is gone 3 s later.
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
	ASSERT_EQ(0, chat(fd, "set k 7 2 5\r\nhello\r\nget k\r\n", "END\r\n",
			  out, sizeof(out)));
	EXPECT_STREQ("STORED\r\nVALUE k 7 5\r\nhello\r\nEND\r\n", out);
	ASSERT_EQ(0, chat(fd, "stats\r\n", "END\r\n", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "STAT limit_maxbytes 16777216\r\n"));
	EXPECT_NE(NULL, strstr(out, "STAT curr_items 1\r\n"));
	sleep(3);
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

/* The CAS of "gets @key"'s reply on @fd, and the value's length; 0 or -1. */
static int gets_cas(int fd, const char *key, unsigned long long *cas,
		    unsigned int *len)
{
	char req[128], out[256];
	unsigned int flags;

	snprintf(req, sizeof(req), "gets %s\r\n", key);
	if (chat(fd, req, "END\r\n", out, sizeof(out)))
		return -1;
	if (sscanf(out, "VALUE %*s %u %u %llu", &flags, len, cas) != 3)
		return -1;
	return 0;
}

#define CAS_CONNS 8
#define CAS_ROUNDS 20
#define CAS_PROCS 4
#define CAS_INCRS 25

/*
 * One client process of the cas race: CAS_INCRS increments of "ctr", each
 * a gets and a cas retried on EXISTS; exits 0 when all went through.
 */
static void cas_incrementer(void)
{
	char req[128], out[256];
	unsigned long long cas;
	unsigned int len, v;
	int fd = connect_port(PORT_VMCD), i, tries = 0;

	if (fd < 0)
		_exit(2);
	for (i = 0; i < CAS_INCRS && tries < 100000; tries++) {
		if (gets_cas(fd, "ctr", &cas, &len))
			_exit(3);
		if (chat(fd, "get ctr\r\n", "END\r\n", out, sizeof(out)) ||
		    sscanf(out, "VALUE ctr %*u %*u\r\n%u", &v) != 1)
			_exit(4);
		/* a stale read is caught by the cas: retried below */
		snprintf(req, sizeof(req), "cas ctr 0 0 %d %llu\r\n%u\r\n",
			 snprintf(out, sizeof(out), "%u", v + 1), cas, v + 1);
		if (chat(fd, req, "\r\n", out, sizeof(out)))
			_exit(5);
		if (!strcmp(out, "STORED\r\n"))
			i++;
		else if (strcmp(out, "EXISTS\r\n"))
			_exit(6);
	}
	_exit(i == CAS_INCRS ? 0 : 7);
}

/*
 * memcached's item metadata end to end, kept by the kernel:
 * - a value set with a 1 s expiry over the text protocol is gone 2 s
 *   later (delete finds nothing); touch and gat give a 2 s item a long
 *   life that outlasts the same wait; memccp -e 30 stores an item that
 *   memccat reads back and whose TTL the server reports;
 * - flush_all hides an item, add then stores an empty value over it;
 * - client flags round-trip: the full 32 bits over the protocol, and
 *   memccp --flags to memccat --flags;
 * - cas races: CAS_CONNS connections read the same CAS with gets and all
 *   send their cas at once: exactly one STORED, the others EXISTS, for
 *   CAS_ROUNDS rounds; CAS_PROCS processes incrementing one counter with
 *   gets/cas loops lose no update.
 */
FIXTURE(meta) {
};

FIXTURE_SETUP(meta)
{
}

FIXTURE_TEARDOWN(meta)
{
}

TEST_F_TIMEOUT(meta, item_meta_clients, 120)
{
	char *argv[] = { "vmemcached", "-p", "21211", "-m", "16", "-t", "4",
			 NULL };
	char *cp[] = { "memccp", "--servers=127.0.0.1:21211", "--flags=123456",
		       "/tmp/vmcd-meta", NULL };
	char *cpe[] = { "memccp", "--servers=127.0.0.1:21211", "-e", "30",
			"/tmp/vmcd-ttl", NULL };
	char *cat[] = { "memccat", "--servers=127.0.0.1:21211", "--flags",
			"vmcd-meta", NULL };
	char *cate[] = { "memccat", "--servers=127.0.0.1:21211", "vmcd-ttl",
			 NULL };
	static char out[4096], req[256];
	unsigned long long cas[CAS_CONNS];
	int fd, fds[CAS_CONNS], i, r, won, lost, st;
	pid_t pid, kids[CAS_PROCS];
	unsigned int len;
	FILE *f;

	if (!dram_pass())
		SKIP(return, "DRAM pass only");
	if (!have("vmemcached"))
		SKIP(return, "vmemcached not in the guest");
	pid = start(argv, PORT_VMCD);
	ASSERT_LT(0, pid);
	fd = connect_port(PORT_VMCD);
	ASSERT_LE(0, fd);

	/* expiry */
	ASSERT_EQ(0, chat(fd, "set ttl1 0 1 2\r\nt1\r\nset ttl2 0 2 2\r\nt2\r\n"
			  "set ttl3 0 2 2\r\nt3\r\ntouch ttl2 100\r\n"
			  "gat 100 ttl3\r\n", "END\r\n", out, sizeof(out)));
	EXPECT_STREQ("STORED\r\nSTORED\r\nSTORED\r\nTOUCHED\r\n"
		     "VALUE ttl3 0 2\r\nt3\r\nEND\r\n", out);
	if (have("memccp") && have("memccat")) {
		f = fopen("/tmp/vmcd-ttl", "w");
		ASSERT_NE(NULL, f);
		fputs("short", f);
		fclose(f);
		/*
		 * A TTL long enough to read the item back on a slow guest:
		 * a 1-second one may expire before memccat starts, as it
		 * may in memcached, whose clock ticks once a second too.
		 * The TTL the server holds says memccp's -e got through.
		 */
		EXPECT_EQ(0, run(cpe, out, sizeof(out))) TH_LOG("%s", out);
		EXPECT_EQ(0, run(cate, out, sizeof(out)));
		EXPECT_STREQ("short\n", out);
		ASSERT_EQ(0, chat(fd, "mg vmcd-ttl t\r\n", "\r\n", out,
				  sizeof(out)));
		EXPECT_EQ(1, sscanf(out, "HD t%u\r\n", &len)) TH_LOG("%s", out);
		EXPECT_LE(20U, len);
		EXPECT_GE(31U, len);
	}
	sleep(2);
	ASSERT_EQ(0, chat(fd, "get ttl1 ttl2 ttl3\r\n", "END\r\n", out,
			  sizeof(out)));
	EXPECT_STREQ("VALUE ttl2 0 2\r\nt2\r\nVALUE ttl3 0 2\r\nt3\r\nEND\r\n",
		     out);
	ASSERT_EQ(0, chat(fd, "delete ttl1\r\n", "\r\n", out, sizeof(out)));
	EXPECT_STREQ("NOT_FOUND\r\n", out);

	/* flush_all, and empty values (the kernel stores one NUL more) */
	ASSERT_EQ(0, chat(fd, "set fx 0 0 1\r\nx\r\nflush_all\r\nget fx\r\n",
			  "END\r\n", out, sizeof(out)));
	EXPECT_STREQ("STORED\r\nOK\r\nEND\r\n", out);
	ASSERT_EQ(0, chat(fd, "add fx 0 0 0\r\n\r\nget fx\r\n", "END\r\n",
			  out, sizeof(out)));
	EXPECT_STREQ("STORED\r\nVALUE fx 0 0\r\n\r\nEND\r\n", out);
	if (have("memccp") && have("memccat")) {
		EXPECT_NE(0, run(cate, out, sizeof(out)))
			TH_LOG("memccat read a flushed item: %s", out);
		unlink("/tmp/vmcd-ttl");
	}

	/* flags */
	ASSERT_EQ(0, chat(fd, "set fl 4294967295 0 1\r\nx\r\nget fl\r\n",
			  "END\r\n", out, sizeof(out)));
	EXPECT_STREQ("STORED\r\nVALUE fl 4294967295 1\r\nx\r\nEND\r\n", out);
	if (have("memccp") && have("memccat")) {
		f = fopen("/tmp/vmcd-meta", "w");
		ASSERT_NE(NULL, f);
		fputs("flagged", f);
		fclose(f);
		EXPECT_EQ(0, run(cp, out, sizeof(out))) TH_LOG("%s", out);
		EXPECT_EQ(0, run(cat, out, sizeof(out)));
		EXPECT_STREQ("123456\nflagged\n", out);
		ASSERT_EQ(0, chat(fd, "get vmcd-meta\r\n", "END\r\n", out,
				  sizeof(out)));
		EXPECT_STREQ("VALUE vmcd-meta 123456 7\r\nflagged\r\nEND\r\n",
			     out);
		unlink("/tmp/vmcd-meta");
	} else {
		TH_LOG("memccp/memccat not in the guest: not run");
	}

	/* cas rounds: one winner each */
	ASSERT_EQ(0, chat(fd, "set race 0 0 1\r\n0\r\n", "\r\n", out,
			  sizeof(out)));
	for (i = 0; i < CAS_CONNS; i++) {
		fds[i] = connect_port(PORT_VMCD);
		ASSERT_LE(0, fds[i]);
	}
	for (r = 0; r < CAS_ROUNDS; r++) {
		for (i = 0; i < CAS_CONNS; i++) {
			ASSERT_EQ(0, gets_cas(fds[i], "race", &cas[i], &len));
			ASSERT_EQ(cas[0], cas[i]);
		}
		for (i = 0; i < CAS_CONNS; i++) {
			snprintf(req, sizeof(req),
				 "cas race 0 0 1 %llu\r\n%d\r\n", cas[i], i);
			ASSERT_EQ((ssize_t)strlen(req),
				  write(fds[i], req, strlen(req)));
		}
		won = lost = 0;
		for (i = 0; i < CAS_CONNS; i++) {
			ASSERT_EQ(0, chat(fds[i], "", "\r\n", out,
					  sizeof(out)));
			if (!strcmp(out, "STORED\r\n"))
				won++;
			else if (!strcmp(out, "EXISTS\r\n"))
				lost++;
			else
				TH_LOG("cas reply: %s", out);
		}
		EXPECT_EQ(1, won) TH_LOG("round %d", r);
		EXPECT_EQ(CAS_CONNS - 1, lost) TH_LOG("round %d", r);
	}
	for (i = 0; i < CAS_CONNS; i++)
		close(fds[i]);

	/* concurrent gets/cas increments: none lost */
	ASSERT_EQ(0, chat(fd, "set ctr 0 0 1\r\n0\r\n", "\r\n", out,
			  sizeof(out)));
	for (i = 0; i < CAS_PROCS; i++) {
		kids[i] = fork();
		ASSERT_LE(0, kids[i]);
		if (!kids[i])
			cas_incrementer();
	}
	for (i = 0; i < CAS_PROCS; i++) {
		ASSERT_EQ(kids[i], waitpid(kids[i], &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st))
			TH_LOG("client %d: status %#x", i, st);
	}
	snprintf(req, sizeof(req), "VALUE ctr 0 %d\r\n%d\r\nEND\r\n",
		 snprintf(out, sizeof(out), "%d", CAS_PROCS * CAS_INCRS),
		 CAS_PROCS * CAS_INCRS);
	ASSERT_EQ(0, chat(fd, "get ctr\r\n", "END\r\n", out, sizeof(out)));
	EXPECT_STREQ(req, out);
	close(fd);
	EXPECT_EQ(0, stop(pid));
}

/*
 * @out with the number after each " l" (mg's seconds since the last
 * access) at most @slack replaced by "?", so that replies straddling a
 * second compare equal; a larger one stays.
 */
static void blur_l(char *out, long slack)
{
	char *p = out, *end;
	long v;

	while ((p = strstr(p, " l"))) {
		p += 2;
		v = strtol(p, &end, 10);
		if (end == p || v > slack)
			continue;
		*p = '?';
		memmove(p + 1, end, strlen(end) + 1);
	}
}

/*
 * mg's h (hit before) and l (seconds since the last access), checked on
 * vmemcached and, for reference, on Debian's memcached 1.6 (same lines,
 * same replies): both report the item's state before the mg, a new item
 * is not hit and was accessed at its set, a get marks it hit, a miss
 * returns neither, and l counts the seconds since the set.  Then, on
 * vmemcached only (memcached moves its access time only on some hits),
 * an mg makes now the last access: l is 0 right after it.
 * Also the same replies for the stale/win flags: md I makes an item
 * stale (X), its first reader wins (W), later ones see Z; a set makes it
 * fresh; mg R wins once the TTL is below the token, and md I gives the
 * token back; the mg that vivifies (N) wins, the next sees Z.
 */
TEST(meta_access_flags)
{
	char *vmcd[] = { "vmemcached", "-p", "21211", "-m", "16", "-t", "1",
			 NULL };
	char *mc[] = { "memcached", "-u", "root", "-l", "127.0.0.1", "-p",
		       "21212", "-U", "0", "-m", "16", "-t", "1", NULL };
	static const char req1[] =
		"set ha 0 0 1\r\nx\r\nmg ha h l\r\nget ha\r\nmg ha l h k\r\n"
		"mg nope h l k\r\nset hb 0 0 1\r\ny\r\nmn\r\n";
	static const char want1[] =
		"STORED\r\nHD h0 l?\r\nVALUE ha 0 1\r\nx\r\nEND\r\n"
		"HD l? h1 kha\r\nEN knope\r\nSTORED\r\nMN\r\n";
	static const char req2[] =
		"set sw 0 0 1\r\nx\r\nmd sw I\r\nmg sw v\r\nmg sw v\r\n"
		"mg sw\r\nset sw 0 0 1\r\ny\r\nmg sw v\r\n"
		"set rw 0 100 1\r\nz\r\nmg rw R30\r\nmg rw R200\r\n"
		"mg rw R200\r\nmd rw I T30\r\nmg rw\r\nmg rw\r\n"
		"mg vv N30\r\nmg vv\r\nmd nope I\r\nmn\r\n";
	static const char want2[] =
		"STORED\r\nHD\r\nVA 1 X W\r\nx\r\nVA 1 Z X\r\nx\r\n"
		"HD Z X\r\nSTORED\r\nVA 1\r\ny\r\n"
		"STORED\r\nHD\r\nHD W\r\n"
		"HD Z\r\nHD\r\nHD X W\r\nHD Z X\r\n"
		"HD W\r\nHD Z\r\nNF\r\nMN\r\n";
	static char out[1024];
	int port[2] = { PORT_VMCD, PORT_MEMCACHED }, fd[2] = { -1, -1 };
	pid_t pid[2] = { 0, 0 };
	long l;
	int i;

	if (!dram_pass())
		SKIP(return, "DRAM pass only");
	if (!have("vmemcached"))
		SKIP(return, "vmemcached not in the guest");
	pid[0] = start(vmcd, PORT_VMCD);
	ASSERT_LT(0, pid[0]);
	if (have("memcached")) {
		pid[1] = start(mc, PORT_MEMCACHED);
		ASSERT_LT(0, pid[1]);
	} else {
		TH_LOG("memcached not in the guest: vmemcached alone");
	}
	for (i = 0; i < 2 && pid[i] > 0; i++) {
		fd[i] = connect_port(port[i]);
		ASSERT_LE(0, fd[i]);
		ASSERT_EQ(0, chat(fd[i], req1, "MN\r\n", out, sizeof(out)));
		blur_l(out, 1);
		EXPECT_STREQ(want1, out) TH_LOG("port %d", port[i]);
		ASSERT_EQ(0, chat(fd[i], req2, "MN\r\n", out, sizeof(out)));
		EXPECT_STREQ(want2, out) TH_LOG("port %d", port[i]);
	}
	sleep(3);
	for (i = 0; i < 2 && pid[i] > 0; i++) {
		ASSERT_EQ(0, chat(fd[i], "mg hb h l\r\n", "\r\n", out,
				  sizeof(out)));
		EXPECT_EQ(1, sscanf(out, "HD h0 l%ld\r\n", &l))
			TH_LOG("port %d: %s", port[i], out);
		EXPECT_TRUE(l >= 2 && l <= 4) TH_LOG("port %d: %s", port[i], out);
	}
	ASSERT_EQ(0, chat(fd[0], "mg hb h l\r\n", "\r\n", out, sizeof(out)));
	blur_l(out, 1);
	EXPECT_STREQ("HD h1 l?\r\n", out);
	for (i = 0; i < 2 && pid[i] > 0; i++) {
		close(fd[i]);
		stop(pid[i]);
	}
}

/*
 * --shared stores in /dev/vmemcache: the entry is visible through the
 * device with the client's bytes as its value and the client flags, the
 * expiry and the CAS as the kernel's fields (gets shows the kernel's
 * version); an entry put through the device reads back with its flags;
 * delete removes it.
 */
TEST(shared_cache)
{
	char *argv[] = { "vmemcached", "--shared", "-p", "21211", NULL };
	static char out[4096], want[256], val[64];
	struct vmemcache_get g;
	struct vmemcache_put p;
	struct timespec ts;
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
	EXPECT_EQ(5ULL, size);
	ASSERT_EQ(0, chat(fd, "set shared-key 4000000000 100 5\r\nhello\r\n",
			  "\r\n", out, sizeof(out)));
	memset(&g, 0, sizeof(g));
	g.key = vmc_ptr("shared-key");
	g.key_len = 10;
	g.buf = vmc_ptr(val);
	g.buf_len = sizeof(val);
	g.flags = VMEMCACHE_GET_META;
	ASSERT_EQ(0, vmc_ioctl(dev, VMEMCACHE_IOC_GET, &g));
	EXPECT_EQ(5ULL, g.copied);
	EXPECT_EQ(0, memcmp(val, "hello", 5));
	EXPECT_EQ(4000000000U, g.client_flags);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	EXPECT_LE((uint32_t)ts.tv_sec + 98, g.expiry);
	EXPECT_GE((uint32_t)ts.tv_sec + 101, g.expiry);
	snprintf(want, sizeof(want), "VALUE shared-key 4000000000 5 %llu\r\nhello\r\nEND\r\n",
		 (unsigned long long)g.cas);
	ASSERT_EQ(0, chat(fd, "gets shared-key\r\n", "END\r\n", out,
			  sizeof(out)));
	EXPECT_STREQ(want, out);
	memset(&p, 0, sizeof(p));
	p.key = vmc_ptr("dev-key");
	p.key_len = 7;
	p.value = vmc_ptr("raw");
	p.value_len = 3;
	p.flags = VMEMCACHE_PUT_REPLACE;
	p.client_flags = 9;
	ASSERT_EQ(0, vmc_ioctl(dev, VMEMCACHE_IOC_PUT, &p));
	ASSERT_EQ(0, chat(fd, "get dev-key\r\ndelete dev-key\r\n",
			  "DELETED\r\n", out, sizeof(out)));
	EXPECT_STREQ("VALUE dev-key 9 3\r\nraw\r\nEND\r\nDELETED\r\n", out);
	ASSERT_EQ(0, chat(fd, "delete shared-key\r\n", "\r\n", out,
			  sizeof(out)));
	EXPECT_STREQ("DELETED\r\n", out);
	EXPECT_EQ(-ENOENT, vmc_exists(dev, "shared-key", 10, &size));
	close(fd);
	close(dev);
	EXPECT_EQ(0, stop(pid));
}

/*
 * The cluster: NHOSTS vmemcached "hosts", each in its own network
 * namespace vmchN behind a veth pair (10.77.N.1 here, 10.77.N.2 there),
 * each with a private cache, and Debian's nutcracker (twemproxy) in this
 * namespace in front of them with ketama distribution and
 * auto_eject_hosts.  memccp stores through the proxy, memccat reads back.
 */
#define NHOSTS 3
#define NKEYS 48
#define HOST_PORT 11211
#define PROXY_PORT 22121
#define PROXY_STATS_PORT 22122
/* server_retry_timeout: how long an ejected host stays out */
#define RETRY_MS 15000
#define CL_DIR "/tmp/vmcl"

FIXTURE(cluster) {
	char ip[256];
	pid_t srv[NHOSTS];
	pid_t proxy;
	bool ns[NHOSTS];
};

FIXTURE_SETUP(cluster)
{
}

/* sh -c the formatted command; its exit status, its output in @out. */
static int shf(char *out, size_t size, const char *fmt, ...)
{
	char cmd[512];
	char *argv[] = { "sh", "-c", cmd, NULL };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return run(argv, out, size);
}

FIXTURE_TEARDOWN(cluster)
{
	char out[256];
	int i;

	if (self->proxy > 0)
		stop(self->proxy);
	for (i = 0; i < NHOSTS; i++) {
		if (self->srv[i] > 0)
			stop(self->srv[i]);
		if (self->ns[i])
			shf(out, sizeof(out), "%s netns del vmch%d", self->ip,
			    i + 1);
	}
	shf(out, sizeof(out), "rm -rf " CL_DIR);
}

static void host_addr(char *buf, size_t size, int host)
{
	snprintf(buf, size, "10.77.%d.2", host + 1);
}

static void key_name(char *buf, size_t size, int k)
{
	snprintf(buf, size, "cluster-%02d", k);
}

/* Value @gen of key @k: 1 to 6000 printable bytes, in @buf. */
static size_t key_value(char *buf, int k, int gen)
{
	size_t len = 1 + (k * 2654435761u + gen * 977u) % 6000, i;

	for (i = 0; i < len; i++)
		buf[i] = 'a' + (k * 7 + gen * 13 + i * 31 + i / 26) % 26;
	return len;
}

/* Write value @gen of each key in @keys (a -1 ends it) to CL_DIR. */
static int write_values(const int *keys, int gen)
{
	static char val[8192];
	char path[128], name[32];
	size_t len;
	FILE *f;

	for (; *keys >= 0; keys++) {
		key_name(name, sizeof(name), *keys);
		snprintf(path, sizeof(path), CL_DIR "/%s", name);
		len = key_value(val, *keys, gen);
		f = fopen(path, "w");
		if (!f)
			return -1;
		if (fwrite(val, len, 1, f) != 1) {
			fclose(f);
			return -1;
		}
		fclose(f);
	}
	return 0;
}

/*
 * "get @key" to @addr:@port on a fresh connection: the value's length
 * (the value in @out), -ENOENT on a miss, -EIO on any other reply (in
 * @out) and -ECONNREFUSED when the connection or the reply fails.
 */
static int mc_get(const char *addr, int port, const char *key, char *out,
		  size_t size)
{
	struct timeval tv = { .tv_sec = 5 };
	size_t len = 0, hdr;
	unsigned int flags, vlen;
	char req[128], *nl;
	ssize_t n;
	int fd, rc = -ECONNREFUSED;

	fd = connect_try(addr, port, 1);
	if (fd < 0)
		return -ECONNREFUSED;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	snprintf(req, sizeof(req), "get %s\r\n", key);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		goto out;
	while (len < size - 1) {
		n = read(fd, out + len, size - 1 - len);
		if (n <= 0)
			goto out;
		len += n;
		out[len] = 0;
		nl = strstr(out, "\r\n");
		if (!nl)
			continue;
		if (strncmp(out, "VALUE ", 6)) {
			rc = strcmp(out, "END\r\n") ? -EIO : -ENOENT;
			goto out;
		}
		hdr = nl + 2 - out;
		if (sscanf(out + strlen("VALUE ") + strlen(key), " %u %u",
			   &flags, &vlen) != 2) {
			rc = -EIO;
			goto out;
		}
		if (len < hdr + vlen + 7)
			continue;
		if (strcmp(out + hdr + vlen, "\r\nEND\r\n")) {
			rc = -EIO;
			goto out;
		}
		memmove(out, out + hdr, vlen);
		rc = vlen;
		goto out;
	}
out:
	close(fd);
	return rc;
}

/* The host holding @key now, -1 if none, -2 if more than one does. */
static int key_owner(const char *key)
{
	static char out[8192];
	char addr[32];
	int h, owner = -1;

	for (h = 0; h < NHOSTS; h++) {
		host_addr(addr, sizeof(addr), h);
		if (mc_get(addr, HOST_PORT, key, out, sizeof(out)) < 0)
			continue;
		owner = owner == -1 ? h : -2;
	}
	return owner;
}

/*
 * The placement the clients are expected to make, computed here so the
 * test can check each key sits on exactly the host predicted.
 *
 * MD5 (RFC 1321) of @len bytes (at most 119) at @msg in @out: ketama
 * hashes both the servers' point names and, with "hash: md5", the keys.
 */
static void md5(const void *msg, size_t len, unsigned char out[16])
{
	static const int rot[4][4] = { { 7, 12, 17, 22 }, { 5, 9, 14, 20 },
				       { 4, 11, 16, 23 }, { 6, 10, 15, 21 } };
	uint32_t st[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
	unsigned char buf[128] = { 0 };
	size_t nblk = (len + 8) / 64 + 1, b, i;
	uint64_t bits = (uint64_t)len * 8;

	memcpy(buf, msg, len);
	buf[len] = 0x80;
	for (i = 0; i < 8; i++)
		buf[nblk * 64 - 8 + i] = bits >> (8 * i);
	for (b = 0; b < nblk; b++) {
		uint32_t w[16], a = st[0], bb = st[1], c = st[2], d = st[3];
		uint32_t f, t, k;
		int g;

		for (i = 0; i < 16; i++)
			w[i] = buf[b * 64 + 4 * i] |
			       buf[b * 64 + 4 * i + 1] << 8 |
			       buf[b * 64 + 4 * i + 2] << 16 |
			       (uint32_t)buf[b * 64 + 4 * i + 3] << 24;
		for (i = 0; i < 64; i++) {
			switch (i / 16) {
			case 0:
				f = (bb & c) | (~bb & d);
				g = i;
				break;
			case 1:
				f = (d & bb) | (~d & c);
				g = (5 * i + 1) % 16;
				break;
			case 2:
				f = bb ^ c ^ d;
				g = (3 * i + 5) % 16;
				break;
			default:
				f = c ^ (bb | ~d);
				g = (7 * i) % 16;
				break;
			}
			/* the RFC's table: floor(2^32 * |sin(i + 1)|) */
			k = (uint32_t)floor(fabs(sin(i + 1.0)) * 4294967296.0);
			t = a + f + k + w[g];
			a = d;
			d = c;
			c = bb;
			bb += t << rot[i / 16][i % 4] | t >> (32 - rot[i / 16][i % 4]);
		}
		st[0] += a;
		st[1] += bb;
		st[2] += c;
		st[3] += d;
	}
	for (i = 0; i < 16; i++)
		out[i] = st[i / 4] >> (8 * (i % 4));
}

/* Bytes 4 * @word to 4 * @word + 3 of @key's MD5, little endian. */
static uint32_t md5_word(const char *key, int word)
{
	unsigned char d[16];

	md5(key, strlen(key), d);
	return d[4 * word] | d[4 * word + 1] << 8 | d[4 * word + 2] << 16 |
	       (uint32_t)d[4 * word + 3] << 24;
}

/*
 * nutcracker's ketama continuum: each live server (all weight 1 here, so
 * 160 points each whatever the number live) has 40 point names
 * "NAME-0".."NAME-39", NAME the server's name in the yaml ("vmchN"), and
 * each name gives 4 points, the 4 little-endian words of its MD5.
 */
#define KETAMA_NAMES 40

struct ketama_point {
	uint32_t value;
	int host;
};

static int point_cmp(const void *a, const void *b)
{
	const struct ketama_point *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/* The continuum over the hosts not @dead (-1: all live); its size. */
static int ketama_ring(struct ketama_point *ring, int dead)
{
	char name[32];
	int h, p, w, n = 0;

	for (h = 0; h < NHOSTS; h++) {
		if (h == dead)
			continue;
		for (p = 0; p < KETAMA_NAMES; p++) {
			snprintf(name, sizeof(name), "vmch%d-%d", h + 1, p);
			for (w = 0; w < 4; w++) {
				ring[n].value = md5_word(name, w);
				ring[n++].host = h;
			}
		}
	}
	qsort(ring, n, sizeof(*ring), point_cmp);
	return n;
}

/*
 * The host nutcracker sends @key to with the hosts but @dead live: the
 * first point at or after the key's hash (the first MD5 word), wrapping
 * around past the last.
 */
static int ketama_owner(const char *key, int dead)
{
	static struct ketama_point ring[NHOSTS * KETAMA_NAMES * 4];
	uint32_t hash = md5_word(key, 0);
	int n = ketama_ring(ring, dead), lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ring[mid].value < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ring[hi == n ? 0 : hi].host;
}

/*
 * libmemcached's default placement, which memccp and memccat use:
 * modula distribution (the hash modulo the number of servers, in the
 * order given) over its default hash, Jenkins' one-at-a-time.
 */
static int modula_owner(const char *key)
{
	uint32_t h = 0;

	for (; *key; key++) {
		h += (unsigned char)*key;
		h += h << 10;
		h ^= h >> 6;
	}
	h += h << 3;
	h ^= h >> 11;
	h += h << 15;
	return h % NHOSTS;
}

#define PROXY_SERVERS "--servers=127.0.0.1:22121"
/* The three hosts, for libmemcached's own hashing over them. */
#define HOST_SERVERS "--servers=10.77.1.2:11211,10.77.2.2:11211,10.77.3.2:11211"

/* memccp (@cat false) or memccat the keys in @keys with @servers. */
static int mc_tool(bool cat, const char *servers, const int *keys, char *out,
		   size_t size)
{
	static char names[NKEYS][64];
	char *argv[NKEYS + 3];
	int n = 0, i;

	argv[n++] = cat ? "memccat" : "memccp";
	argv[n++] = (char *)servers;
	for (i = 0; keys[i] >= 0; i++) {
		if (cat)
			key_name(names[i], sizeof(names[i]), keys[i]);
		else
			snprintf(names[i], sizeof(names[i]),
				 CL_DIR "/cluster-%02d", keys[i]);
		argv[n++] = names[i];
	}
	argv[n] = NULL;
	return run(argv, out, size);
}

/* memccp (@cat false) or memccat the keys in @keys through the proxy. */
static int through_proxy(bool cat, const int *keys, char *out, size_t size)
{
	return mc_tool(cat, PROXY_SERVERS, keys, out, size);
}

/*
 * memccat of @keys reads back exactly value @gen of each, newline
 * terminated (memccat's output); 0 or -1.
 */
static int read_back_from(struct __test_metadata *_metadata,
			  const char *servers, const int *keys, int gen)
{
	static char out[NKEYS * 6100], val[8192];
	size_t off = 0, len;
	int rc, i;

	rc = mc_tool(true, servers, keys, out, sizeof(out));
	if (rc) {
		TH_LOG("memccat: exit %d: %.400s", rc, out);
		return -1;
	}
	for (i = 0; keys[i] >= 0; i++) {
		len = key_value(val, keys[i], gen);
		if (memcmp(out + off, val, len) || out[off + len] != '\n') {
			TH_LOG("memccat: key %d: value %d differs", keys[i],
			       gen);
			return -1;
		}
		off += len + 1;
	}
	if (out[off]) {
		TH_LOG("memccat: trailing output after the values");
		return -1;
	}
	return 0;
}

/* read_back_from() through the proxy. */
static int read_back(struct __test_metadata *_metadata, const int *keys,
		     int gen)
{
	return read_back_from(_metadata, PROXY_SERVERS, keys, gen);
}

/* Start vmemcached in host @h's namespace; its pid or -1. */
static pid_t start_host(int h)
{
	char ns[16], addr[32];
	char *argv[] = { "vmemcached", "-l", addr, "-p", "11211", "-m", "16",
			 "-t", "1", "-U", "0", NULL };

	snprintf(ns, sizeof(ns), "vmch%d", h + 1);
	host_addr(addr, sizeof(addr), h);
	return start_in(ns, argv, addr, HOST_PORT);
}

/* Namespaces, veth pairs and addresses for the hosts; SKIP reasons. */
static int make_hosts(FIXTURE_DATA(cluster) *self, char *why, size_t size)
{
	/* by its path: busybox sh would run its own ip applet for "ip" */
	const char *ip = self->ip;
	char out[1024];
	int h;

	for (h = 0; h < NHOSTS; h++) {
		if (shf(out, sizeof(out), "%s netns add vmch%d", ip, h + 1)) {
			snprintf(why, size, "%.100s netns add (iproute2 needed): %.80s",
				 ip, out);
			return -1;
		}
		self->ns[h] = true;
		if (shf(out, sizeof(out),
			"%s link add vmcv%d type veth peer name eth0 netns vmch%d",
			ip, h + 1, h + 1)) {
			snprintf(why, size, "no veth pair: %.200s", out);
			return -1;
		}
		if (shf(out, sizeof(out),
			"IP=%s; N=%d; $IP addr add 10.77.$N.1/24 dev vmcv$N && "
			"$IP link set vmcv$N up && "
			"$IP -n vmch$N addr add 10.77.$N.2/24 dev eth0 && "
			"$IP -n vmch$N link set eth0 up && "
			"$IP -n vmch$N link set lo up", ip, h + 1)) {
			snprintf(why, size, "addresses: %.200s", out);
			return -1;
		}
	}
	return 0;
}

static int write_proxy_conf(void)
{
	FILE *f = fopen(CL_DIR "/nutcracker.yml", "w");
	int h;

	if (!f)
		return -1;
	fprintf(f, "vmc:\n  listen: 127.0.0.1:%d\n  hash: md5\n"
		"  distribution: ketama\n  auto_eject_hosts: true\n"
		"  server_retry_timeout: %d\n  server_failure_limit: 1\n"
		"  timeout: 2000\n  servers:\n", PROXY_PORT, RETRY_MS);
	for (h = 0; h < NHOSTS; h++)
		fprintf(f, "   - 10.77.%d.2:%d:1 vmch%d\n", h + 1, HOST_PORT,
			h + 1);
	return fclose(f);
}

/*
 * Through nutcracker (ketama, auto_eject_hosts, server_failure_limit 1)
 * to three vmemcached hosts in their own network namespaces:
 * - every key stored with memccp lands on exactly one host, the one
 *   ketama predicts (ketama_owner()), every host holds some, and
 *   memccat reads every value back exactly;
 * - a host killed is ejected: its keys read as misses through the proxy
 *   (never a hang), the keys of the other hosts still read back
 *   unchanged (consistent hashing moves only the dead host's keys), and
 *   its keys stored again land each on the live host ketama over the
 *   two live ones predicts;
 * - the host restarted is taken back after server_retry_timeout: its
 *   keys stored again land on it.
 */
TEST_F_TIMEOUT(cluster, twemproxy_ketama, 240)
{
	char *proxy[] = { "nutcracker", "-c", CL_DIR "/nutcracker.yml", "-s",
			  "22122", "-o", CL_DIR "/nutcracker.log", NULL };
	static char out[NKEYS * 6100];
	int all[NKEYS + 1], dead[NKEYS + 1], live[NKEYS + 1];
	int per[NHOSTS] = { 0 }, owner[NKEYS], one[2];
	int k, h, nd = 0, nl = 0, victim, rc, tries;
	char why[512], name[32], addr[32];

	if (!dram_pass())
		SKIP(return, "the hosts' caches are private DRAM: DRAM pass only");
	if (!have("vmemcached") || !have("nutcracker") || !have("memccp") ||
	    !have("memccat") || !which("ip", self->ip, sizeof(self->ip)))
		SKIP(return, "vmemcached, nutcracker, memccp, memccat or ip not in the guest");
	if (make_hosts(self, why, sizeof(why)))
		SKIP(return, "%s", why);
	for (h = 0; h < NHOSTS; h++) {
		self->srv[h] = start_host(h);
		ASSERT_LT(0, self->srv[h]) TH_LOG("host %d did not start", h);
	}
	ASSERT_EQ(0, shf(out, sizeof(out), "mkdir -p " CL_DIR));
	ASSERT_EQ(0, write_proxy_conf());
	self->proxy = start_in(NULL, proxy, "127.0.0.1", PROXY_PORT);
	ASSERT_LT(0, self->proxy) TH_LOG("nutcracker did not start");

	for (k = 0; k < NKEYS; k++)
		all[k] = k;
	all[NKEYS] = -1;
	ASSERT_EQ(0, write_values(all, 0));
	rc = through_proxy(false, all, out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("memccp: %.400s", out);
	for (k = 0; k < NKEYS; k++) {
		key_name(name, sizeof(name), k);
		owner[k] = key_owner(name);
		ASSERT_LE(0, owner[k])
			TH_LOG("%s on %d hosts", name, owner[k] == -1 ? 0 : 2);
		EXPECT_EQ(ketama_owner(name, -1), owner[k])
			TH_LOG("%s not where ketama puts it", name);
		per[owner[k]]++;
	}
	TH_LOG("keys per host: %d %d %d", per[0], per[1], per[2]);
	for (h = 0; h < NHOSTS; h++)
		EXPECT_LT(0, per[h]);
	ASSERT_EQ(0, read_back(_metadata, all, 0));

	/* Kill host 2; ketama moves only its keys. */
	victim = 1;
	host_addr(addr, sizeof(addr), victim);
	for (k = 0; k < NKEYS; k++) {
		if (owner[k] == victim)
			dead[nd++] = k;
		else
			live[nl++] = k;
	}
	dead[nd] = -1;
	live[nl] = -1;
	TH_LOG("all values read back; killing host %d", victim);
	kill(self->srv[victim], SIGKILL);
	waitpid(self->srv[victim], NULL, 0);
	self->srv[victim] = 0;
	key_name(name, sizeof(name), dead[0]);
	for (tries = 0; tries < 50; tries++) {
		rc = mc_get("127.0.0.1", PROXY_PORT, name, out, sizeof(out));
		if (rc == -ENOENT)
			break;
		EXPECT_EQ(-EIO, rc) TH_LOG("%s through the proxy: %d", name, rc);
		TH_LOG("%s while the host is being ejected: %.60s", name, out);
		usleep(100000);
	}
	ASSERT_EQ(-ENOENT, rc) TH_LOG("the dead host was not ejected");
	TH_LOG("ejected after %d tries", tries + 1);
	EXPECT_EQ(0, read_back(_metadata, live, 0));
	for (k = 0; dead[k] >= 0; k++) {
		key_name(name, sizeof(name), dead[k]);
		EXPECT_EQ(-ENOENT, mc_get("127.0.0.1", PROXY_PORT, name, out,
					  sizeof(out)));
	}
	ASSERT_EQ(0, write_values(dead, 1));
	rc = through_proxy(false, dead, out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("memccp with a host ejected: %.400s", out);
	for (k = 0; dead[k] >= 0; k++) {
		key_name(name, sizeof(name), dead[k]);
		h = key_owner(name);
		EXPECT_TRUE(h >= 0 && h != victim) TH_LOG("%s on %d", name, h);
		EXPECT_EQ(ketama_owner(name, victim), h)
			TH_LOG("%s not where ketama over the live hosts puts it",
			       name);
	}
	EXPECT_EQ(0, read_back(_metadata, dead, 1));

	/*
	 * Restart it: at the next retry (server_retry_timeout after its
	 * ejection) the proxy takes it back, and its keys go to it again.
	 */
	TH_LOG("its keys stored on the live hosts; restarting it");
	self->srv[victim] = start_host(victim);
	ASSERT_LT(0, self->srv[victim]);
	ASSERT_EQ(0, write_values(dead, 2));
	one[0] = dead[0];
	one[1] = -1;
	key_name(name, sizeof(name), dead[0]);
	for (tries = 0; tries < 4 * RETRY_MS / 500; tries++) {
		through_proxy(false, one, out, sizeof(out));
		if (mc_get(addr, HOST_PORT, name, out, sizeof(out)) >= 0)
			break;
		usleep(500000);
	}
	ASSERT_LE(0, mc_get(addr, HOST_PORT, name, out, sizeof(out)))
		TH_LOG("the restarted host was not taken back");
	TH_LOG("taken back after %d tries", tries + 1);
	rc = through_proxy(false, dead, out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("memccp after the restart: %.400s", out);
	/* The live hosts keep stale copies; the proxy reads the new ones. */
	for (k = 0; dead[k] >= 0; k++) {
		key_name(name, sizeof(name), dead[k]);
		EXPECT_LE(0, mc_get(addr, HOST_PORT, name, out, sizeof(out)))
			TH_LOG("%s not back on the restarted host", name);
	}
	EXPECT_EQ(0, read_back(_metadata, dead, 2));
	EXPECT_EQ(0, read_back(_metadata, live, 0));
}

/*
 * libmemcached's own hashing over the three hosts, no proxy: memccp with
 * the three in --servers puts every key on exactly one host, the one
 * libmemcached's default modula placement predicts (modula_owner()),
 * every host gets some, and memccat with the same list reads every value
 * back.
 */
TEST_F_TIMEOUT(cluster, libmemcached_direct, 120)
{
	static char out[NKEYS * 6100];
	int all[NKEYS + 1], per[NHOSTS] = { 0 };
	char why[512], name[32];
	int k, h, owner;

	if (!dram_pass())
		SKIP(return, "the hosts' caches are private DRAM: DRAM pass only");
	if (!have("vmemcached") || !have("memccp") || !have("memccat") ||
	    !which("ip", self->ip, sizeof(self->ip)))
		SKIP(return, "vmemcached, memccp, memccat or ip not in the guest");
	if (make_hosts(self, why, sizeof(why)))
		SKIP(return, "%s", why);
	for (h = 0; h < NHOSTS; h++) {
		self->srv[h] = start_host(h);
		ASSERT_LT(0, self->srv[h]) TH_LOG("host %d did not start", h);
	}
	ASSERT_EQ(0, shf(out, sizeof(out), "mkdir -p " CL_DIR));
	for (k = 0; k < NKEYS; k++)
		all[k] = k;
	all[NKEYS] = -1;
	ASSERT_EQ(0, write_values(all, 3));
	ASSERT_EQ(0, mc_tool(false, HOST_SERVERS, all, out, sizeof(out)))
		TH_LOG("memccp: %.400s", out);
	for (k = 0; k < NKEYS; k++) {
		key_name(name, sizeof(name), k);
		owner = key_owner(name);
		ASSERT_LE(0, owner)
			TH_LOG("%s on %d hosts", name, owner == -1 ? 0 : 2);
		EXPECT_EQ(modula_owner(name), owner)
			TH_LOG("%s not where libmemcached's modula puts it",
			       name);
		per[owner]++;
	}
	TH_LOG("keys per host: %d %d %d", per[0], per[1], per[2]);
	for (h = 0; h < NHOSTS; h++)
		EXPECT_LT(0, per[h]);
	EXPECT_EQ(0, read_back_from(_metadata, HOST_SERVERS, all, 3));
}

TEST_HARNESS_MAIN

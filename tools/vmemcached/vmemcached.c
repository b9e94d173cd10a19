// SPDX-License-Identifier: GPL-2.0
/*
 * vmemcached -- a memcached-protocol server in front of vmemcache.
 *
 * -t worker threads, each with its own epoll loop; every worker waits on
 * the listening sockets (EPOLLEXCLUSIVE) and serves the connections it
 * accepted.  Sockets are non-blocking; a connection whose replies pile up
 * beyond VMCD_OUT_HIGH is not read from until they drain.  Past -c
 * connections a new client gets "SERVER_ERROR Too many open connections"
 * and is closed, as memcached does.  See vmemcached(8).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

#define MAX_LISTEN 16
#define EVENTS 64

struct conn {
	struct vmcd_conn p;
	int fd;
	uint32_t events;
};

struct worker {
	pthread_t tid;
	int ep;
	char *scratch;
	size_t scratch_cap;
};

static struct vmcd_server srv;
static int listen_fds[MAX_LISTEN], nlisten;
static unsigned int max_conns = 1024;
static int verbose;
static volatile sig_atomic_t stopping;

static void conn_close(struct worker *w, struct conn *c)
{
	epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	vmcd_conn_free(&c->p);
	free(c);
	__atomic_sub_fetch(&srv.c.curr_conns, 1, __ATOMIC_RELAXED);
}

/* Epoll interest follows the state: read while we may, write while due. */
static void conn_arm(struct worker *w, struct conn *c)
{
	uint32_t ev = 0;
	struct epoll_event e;

	if (vmcd_want_input(&c->p))
		ev |= EPOLLIN;
	if (c->p.out.len > c->p.out.off)
		ev |= EPOLLOUT;
	if (ev == c->events)
		return;
	c->events = ev;
	e.events = ev;
	e.data.ptr = c;
	epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &e);
}

/* Returns false when the connection is to be closed. */
static bool conn_write(struct conn *c)
{
	while (c->p.out.len > c->p.out.off) {
		ssize_t n = send(c->fd, c->p.out.p + c->p.out.off,
				 c->p.out.len - c->p.out.off, MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		__atomic_add_fetch(&srv.c.bytes_written, n, __ATOMIC_RELAXED);
		vmcd_out_sent(&c->p, n);
	}
	return true;
}

static void conn_event(struct worker *w, struct conn *c, uint32_t ev)
{
	bool eof = false;

	if (ev & (EPOLLERR | EPOLLHUP) && !(ev & EPOLLIN))
		goto close;
	for (;;) {
		if (!conn_write(c))
			goto close;
		if (c->p.closing) {
			if (c->p.out.len == c->p.out.off)
				goto close;
			break;
		}
		if (eof || !vmcd_want_input(&c->p))
			break;
		size_t room = vmcd_in_space(&c->p);
		ssize_t n;

		if (!room)
			continue;	/* closing now */
		n = recv(c->fd, c->p.in.p + c->p.in.len, room, 0);
		if (n == 0) {
			eof = true;
			/* answer what arrived, then close */
			vmcd_process(&c->p);
			c->p.closing = true;
			continue;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				goto close;
			vmcd_process(&c->p);
			if (!conn_write(c))
				goto close;
			if (c->p.closing && c->p.out.len == c->p.out.off)
				goto close;
			break;
		}
		__atomic_add_fetch(&srv.c.bytes_read, n, __ATOMIC_RELAXED);
		c->p.in.len += n;
		vmcd_process(&c->p);
	}
	conn_arm(w, c);
	return;
close:
	conn_close(w, c);
}

static void do_accept(struct worker *w, int lfd)
{
	static const char full[] = "SERVER_ERROR Too many open connections\r\n";
	struct epoll_event e;
	struct conn *c;
	int fd, one = 1;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			/* out of descriptors: let others close some, don't spin */
			if (errno == EMFILE || errno == ENFILE)
				usleep(10000);
			return;
		}
		if (__atomic_add_fetch(&srv.c.curr_conns, 1, __ATOMIC_RELAXED) >
		    max_conns) {
			__atomic_sub_fetch(&srv.c.curr_conns, 1, __ATOMIC_RELAXED);
			__atomic_add_fetch(&srv.c.rejected_conns, 1,
					   __ATOMIC_RELAXED);
			if (send(fd, full, sizeof(full) - 1, MSG_NOSIGNAL) < 0)
				(void)0;
			close(fd);
			continue;
		}
		__atomic_add_fetch(&srv.c.total_conns, 1, __ATOMIC_RELAXED);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c || vmcd_conn_init(&c->p, &srv, w->scratch,
					 w->scratch_cap)) {
			free(c);
			close(fd);
			__atomic_sub_fetch(&srv.c.curr_conns, 1, __ATOMIC_RELAXED);
			continue;
		}
		c->fd = fd;
		c->events = EPOLLIN;
		e.events = EPOLLIN;
		e.data.ptr = c;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &e)) {
			vmcd_conn_free(&c->p);
			free(c);
			close(fd);
			__atomic_sub_fetch(&srv.c.curr_conns, 1, __ATOMIC_RELAXED);
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[EVENTS];
	int i, n;

	while (!stopping) {
		n = epoll_wait(w->ep, ev, EVENTS, 1000);
		for (i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;

			if ((uintptr_t)p < MAX_LISTEN)
				do_accept(w, listen_fds[(uintptr_t)p]);
			else
				conn_event(w, p, ev[i].events);
		}
	}
	return NULL;
}

/* -l takes numeric addresses (no resolver in a static binary). */
static int listen_tcp(const char *addr, const char *port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	unsigned long p = strtoul(port, NULL, 10);
	socklen_t len;
	int fd, one = 1;

	if (p > 65535) {
		fprintf(stderr, "vmemcached: bad port %s\n", port);
		return -1;
	}
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(p);
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
		len = sizeof(*in6);
	} else {
		fprintf(stderr, "vmemcached: -l wants a numeric address: %s\n",
			addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 1024)) {
		fprintf(stderr, "vmemcached: bind %s:%s: %s\n", addr, port,
			strerror(errno));
		close(fd);
		return -1;
	}
	listen_fds[nlisten++] = fd;
	return 0;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vmemcached: socket path too long\n");
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 1024)) {
		fprintf(stderr, "vmemcached: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	listen_fds[nlisten++] = fd;
	return 0;
}

/*
 * Room for -c connections plus the server's own descriptors: raise the
 * soft RLIMIT_NOFILE as far as the hard limit allows, and refuse a -c that
 * still does not fit (accept() would fail before the -c check could
 * answer the client).
 */
#define RESERVED_FDS 64

static int fit_nofile(void)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)max_conns + RESERVED_FDS;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur >= want)
		return 0;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < want) {
		fprintf(stderr, "vmemcached: -c %u needs %llu descriptors, the limit is %llu\n",
			max_conns, (unsigned long long)want,
			(unsigned long long)rl.rlim_cur);
		return -1;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	}
	return *end || !*s ? 0 : (size_t)v;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: vmemcached [options]\n"
"  -p, --port=PORT          TCP port (default 11211; 0: no TCP)\n"
"  -l, --listen=ADDR        address to listen on (default 127.0.0.1)\n"
"  -s, --unix-socket=PATH   listen on a UNIX socket instead of TCP\n"
"  -t, --threads=N          worker threads (default 4)\n"
"  -c, --conn-limit=N       simultaneous connections (default 1024)\n"
"  -I, --max-item-size=SIZE largest value (default 1m; k, m suffixes)\n"
"  -m, --memory-limit=MB    a private cache of MB megabytes (default 64)\n"
"      --shared             use the shared cache /dev/vmemcache instead\n"
"      --backend=mem        keep items on the heap (no vmemcache; testing)\n"
"  -U, --udp-port=0         UDP is not supported: only 0 is accepted\n"
"  -v, --verbose            log to stderr\n"
"  -h, --help\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "unix-socket", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "conn-limit", required_argument, NULL, 'c' },
		{ "max-item-size", required_argument, NULL, 'I' },
		{ "memory-limit", required_argument, NULL, 'm' },
		{ "udp-port", required_argument, NULL, 'U' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "shared", no_argument, NULL, 'S' },
		{ "backend", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	const char *port = "11211", *addr = "127.0.0.1", *sock = NULL;
	const char *backend = "kdev";
	unsigned int threads = 4, i;
	size_t max_item = 1 << 20, mb = 64;
	bool shared = false;
	struct vmcd_backend *be;
	struct worker *ws;
	char err[256];
	int o;

	while ((o = getopt_long(argc, argv, "p:l:s:t:c:I:m:U:vh", opts,
				NULL)) != -1) {
		switch (o) {
		case 'p':
			port = optarg;
			break;
		case 'l':
			addr = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'c':
			max_conns = atoi(optarg);
			break;
		case 'I':
			max_item = parse_size(optarg);
			break;
		case 'm':
			mb = strtoul(optarg, NULL, 10);
			break;
		case 'U':
			if (strcmp(optarg, "0")) {
				fprintf(stderr, "vmemcached: UDP is not supported (-U 0 only)\n");
				return 2;
			}
			break;
		case 'v':
			verbose++;
			break;
		case 'S':
			shared = true;
			break;
		case 'B':
			backend = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || !threads || threads > 256 || !max_conns ||
	    max_item < 1024 || max_item > (1u << 30) || !mb) {
		fprintf(stderr, "vmemcached: bad arguments\n");
		usage(stderr);
		return 2;
	}
	if (fit_nofile())
		return 1;
	if (!strcmp(backend, "mem")) {
		be = vmcd_backend_mem((size_t)mb << 20);
	} else if (!strcmp(backend, "kdev")) {
		be = vmcd_backend_kdev(shared ? "/dev/vmemcache" : "/tmp",
				       shared ? 0 : (size_t)mb << 20,
				       max_item, err, sizeof(err));
		if (!be) {
			fprintf(stderr, "vmemcached: %s\n", err);
			return 1;
		}
	} else {
		fprintf(stderr, "vmemcached: unknown backend %s\n", backend);
		return 2;
	}
	if (!be)
		return 1;
	vmcd_server_init(&srv, be, max_item);
	srv.max_conns = max_conns;
	srv.threads = threads;
	if (sock ? listen_unix(sock) : listen_tcp(addr, port))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (verbose)
		fprintf(stderr, "vmemcached: %s, %u threads, listening on %s\n",
			shared ? "shared cache" : "private cache", threads,
			sock ? sock : port);
	ws = calloc(threads, sizeof(*ws));
	if (!ws)
		return 1;
	for (i = 0; i < threads; i++) {
		struct worker *w = &ws[i];
		int l;

		w->scratch_cap = max_item + 1;	/* an all-NUL value's NUL more */
		w->scratch = malloc(w->scratch_cap);
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		if (!w->scratch || w->ep < 0)
			return 1;
		for (l = 0; l < nlisten; l++) {
			struct epoll_event e = {
				.events = EPOLLIN | EPOLLEXCLUSIVE,
				.data.ptr = (void *)(uintptr_t)l,
			};
			epoll_ctl(w->ep, EPOLL_CTL_ADD, listen_fds[l], &e);
		}
		if (pthread_create(&w->tid, NULL, worker_main, w))
			return 1;
	}
	for (i = 0; i < threads; i++)
		pthread_join(ws[i].tid, NULL);
	if (sock)
		unlink(sock);
	be->ops->destroy(be);
	return 0;
}

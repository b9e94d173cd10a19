// SPDX-License-Identifier: GPL-2.0
/*
 * mcload -- a fixed load over memcached's text protocol, for comparing
 * servers (make bench-server): -c connections, one thread each, every one
 * doing "set" or "get" of -s-byte values over -k keys for -d seconds, or
 * with -m mix a random mix of them, -g percent gets (default 90).
 * Prints one line: ops/s and the p50 and p99 latency in microseconds.
 *
 * usage: mcload -h ADDR -p PORT -c CONNS -s SIZE -k KEYS -d SECS
 *               -m set|get|mix [-g GET_PERCENT]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NBUCKETS 100000	/* latency histogram: 1 us buckets up to 100 ms */

struct conn {
	pthread_t thr;
	int fd;
	unsigned long ops;
	unsigned long hist[NBUCKETS];
	bool failed;
};

static const char *addr = "127.0.0.1";
static int port = 11211, nconns = 4, keys = 1000, secs = 5;
static size_t size = 256;
static bool do_get, mix;
static int get_pct = 90;
static volatile bool stop_now;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int dial(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int fd, one = 1;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Read until the reply ends with @end; 0 or -1. */
static int reply(int fd, char *buf, size_t cap, const char *end)
{
	size_t len = 0, el = strlen(end);
	ssize_t n;

	for (;;) {
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			return -1;
		len += n;
		if (len >= el && !memcmp(buf + len - el, end, el))
			return 0;
		if (len == cap)
			return -1;
	}
}

/* One request and its reply. */
static int op(int fd, char *req, char *val, char *buf,
	      size_t cap, int key, bool get)
{
	size_t len;

	if (get) {
		len = snprintf(req, 64, "get k%d\r\n", key);
		if (write(fd, req, len) != (ssize_t)len)
			return -1;
		return reply(fd, buf, cap, "END\r\n");
	}
	len = snprintf(req, 64, "set k%d 0 0 %zu\r\n", key, size);
	memcpy(req + len, val, size);
	memcpy(req + len + size, "\r\n", 2);
	len += size + 2;
	if (write(fd, req, len) != (ssize_t)len)
		return -1;
	return reply(fd, buf, cap, "STORED\r\n");
}

static void *worker(void *arg)
{
	struct conn *c = arg;
	size_t cap = size + 256;
	char *req = malloc(size + 128), *buf = malloc(cap), *val = malloc(size);
	unsigned int seed = c->fd;
	double t0, t1;
	long us;

	if (!req || !buf || !val) {
		c->failed = true;
		goto out;
	}
	memset(val, 'v', size);
	while (!stop_now) {
		t0 = now_us();
		bool get = mix ? (int)(rand_r(&seed) % 100) < get_pct : do_get;

		if (op(c->fd, req, val, buf, cap, rand_r(&seed) % keys, get)) {
			c->failed = true;
			break;
		}
		t1 = now_us();
		us = (long)(t1 - t0);
		c->hist[us < NBUCKETS ? us : NBUCKETS - 1]++;
		c->ops++;
	}
out:
	free(req);
	free(buf);
	free(val);
	return NULL;
}

/* Fill the keys so that gets hit (the server may still be starting). */
static int preload(void)
{
	int fd = dial();
	char *req = malloc(size + 128), *buf = malloc(size + 256);
	char *val = malloc(size);
	int k, rc = 0;

	for (k = 0; fd < 0 && k < 100; k++) {
		usleep(100000);
		fd = dial();
	}
	if (fd < 0 || !req || !buf || !val)
		rc = -1;
	if (!rc) {
		memset(val, 'v', size);
		for (k = 0; k < keys && !rc; k++)
			rc = op(fd, req, val, buf, size + 256, k, false);
	}
	if (fd >= 0)
		close(fd);
	free(req);
	free(buf);
	free(val);
	return rc;
}

static long percentile(const unsigned long *hist, unsigned long total,
		       double p)
{
	unsigned long seen = 0;
	int i;

	for (i = 0; i < NBUCKETS; i++) {
		seen += hist[i];
		if (seen >= total * p)
			return i;
	}
	return NBUCKETS;
}

int main(int argc, char **argv)
{
	static unsigned long hist[NBUCKETS];
	unsigned long total = 0;
	struct conn *cs;
	int o, i, j;

	while ((o = getopt(argc, argv, "h:p:c:s:k:d:m:g:")) != -1) {
		switch (o) {
		case 'h': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'c': nconns = atoi(optarg); break;
		case 's': size = strtoul(optarg, NULL, 10); break;
		case 'k': keys = atoi(optarg); break;
		case 'd': secs = atoi(optarg); break;
		case 'm':
			do_get = !strcmp(optarg, "get");
			mix = !strcmp(optarg, "mix");
			break;
		case 'g': get_pct = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: mcload -h ADDR -p PORT -c CONNS -s SIZE -k KEYS -d SECS -m set|get|mix [-g GET_PERCENT]\n");
			return 2;
		}
	}
	if (nconns < 1 || nconns > 1024 || keys < 1 || !size || size > (1 << 20))
		return 2;
	if (preload()) {
		fprintf(stderr, "mcload: cannot load %s:%d\n", addr, port);
		return 1;
	}
	cs = calloc(nconns, sizeof(*cs));
	if (!cs)
		return 1;
	for (i = 0; i < nconns; i++) {
		cs[i].fd = dial();
		if (cs[i].fd < 0)
			return 1;
	}
	for (i = 0; i < nconns; i++)
		pthread_create(&cs[i].thr, NULL, worker, &cs[i]);
	sleep(secs);
	stop_now = true;
	for (i = 0; i < nconns; i++) {
		pthread_join(cs[i].thr, NULL);
		if (cs[i].failed) {
			fprintf(stderr, "mcload: connection %d failed\n", i);
			return 1;
		}
		total += cs[i].ops;
		for (j = 0; j < NBUCKETS; j++)
			hist[j] += cs[i].hist[j];
		close(cs[i].fd);
	}
	printf("%s %zu B: %.0f ops/s p50 %ld us p99 %ld us\n",
	       mix ? "mix" : do_get ? "get" : "set", size, (double)total / secs,
	       percentile(hist, total, 0.50), percentile(hist, total, 0.99));
	free(cs);
	return 0;
}

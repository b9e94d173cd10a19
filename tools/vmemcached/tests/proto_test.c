// SPDX-License-Identifier: GPL-2.0
/*
 * proto_test.c -- host test of vmemcached's protocol layer against the
 * in-memory backend and a fake clock: each case sends bytes and compares
 * the reply byte for byte with what memcached 1.6.18 answers (checked by
 * hand against Debian's memcached).  Each case runs twice: the input in
 * one piece and one byte at a time.  TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "../../testing/common/tap.h"

static int64_t fake_now = 1000000000;
static int64_t test_clock(void)
{
	return fake_now;
}

static struct vmcd_server srv;
static char *scratch;

static void feed(struct vmcd_conn *c, const char *in, size_t len, size_t step,
		 char **out, size_t *olen)
{
	size_t i = 0, k;

	*out = NULL;
	*olen = 0;
	while (i < len || c->out.len > c->out.off) {
		k = len - i < step ? len - i : step;
		if (k && vmcd_want_input(c)) {
			size_t room = vmcd_in_space(c);

			if (k > room)
				k = room;
			memcpy(c->in.p + c->in.len, in + i, k);
			c->in.len += k;
			i += k;
		}
		vmcd_process(c);
		k = c->out.len - c->out.off;
		*out = realloc(*out, *olen + k + 1);
		memcpy(*out + *olen, c->out.p + c->out.off, k);
		*olen += k;
		vmcd_out_sent(c, k);
		if (c->closing)
			break;
	}
	if (!*out)
		*out = calloc(1, 1);
	(*out)[*olen] = 0;
}

static size_t step;

static void check(const char *name, const char *in, const char *want)
{
	struct vmcd_conn c;
	size_t olen;
	char *out;

	vmcd_conn_init(&c, &srv, scratch, (1 << 20) + 64);
	feed(&c, in, strlen(in), step, &out, &olen);
	if (!tap_ok(olen == strlen(want) && !memcmp(out, want, olen), "%s%s",
		    name, step == 1 ? " (bytewise)" : ""))
		printf("# want: \"%s\"\n# got:  \"%s\"\n", want, out);
	free(out);
	vmcd_conn_free(&c);
}

static void reset(void)
{
	check("flush", "flush_all\r\n", "OK\r\n");
}

static void suite(void)
{
	struct vmcd_backend *be = vmcd_backend_mem(0);
	char *big, *line;
	size_t i;

	fake_now = 1000000000;
	vmcd_server_init(&srv, be, 1 << 20);
	srv.now = test_clock;
	be->now = test_clock;
	srv.started = fake_now;

	check("unknown command", "bogus\r\n", "ERROR\r\n");
	check("empty line", "\r\n", "ERROR\r\n");
	check("bare LF", "version\n", "VERSION " VMCD_VERSION "\r\n");
	check("get miss", "get a\r\n", "END\r\n");
	check("get no key", "get\r\n", "ERROR\r\n");
	check("set/get", "set a 5 0 3\r\nabc\r\nget a\r\n",
	      "STORED\r\nVALUE a 5 3\r\nabc\r\nEND\r\n");
	check("multi-get", "get a nope a\r\n",
	      "VALUE a 5 3\r\nabc\r\nVALUE a 5 3\r\nabc\r\nEND\r\n");
	reset();
	check("set noreply", "set a 0 0 1 noreply\r\nx\r\nget a\r\n",
	      "VALUE a 0 1\r\nx\r\nEND\r\n");
	check("gets", "gets a\r\n", "VALUE a 0 1 2\r\nx\r\nEND\r\n");
	check("cas ok", "cas a 0 0 1 2\r\ny\r\n", "STORED\r\n");
	check("cas stale", "cas a 0 0 1 2\r\nz\r\n", "EXISTS\r\n");
	check("cas missing", "cas b 0 0 1 3\r\nz\r\n", "NOT_FOUND\r\n");
	check("cas no unique", "cas a 0 0 1\r\n", "ERROR\r\n");
	check("add existing", "add a 0 0 1\r\nq\r\n", "NOT_STORED\r\n");
	check("add new", "add b 0 0 1\r\nq\r\n", "STORED\r\n");
	check("replace missing", "replace c 0 0 1\r\nq\r\n", "NOT_STORED\r\n");
	check("append/prepend",
	      "append a 9 9 2\r\nAB\r\nprepend a 9 9 2\r\nCD\r\nget a\r\n",
	      "STORED\r\nSTORED\r\nVALUE a 0 5\r\nCDyAB\r\nEND\r\n");
	check("append missing", "append zz 0 0 1\r\nq\r\n", "NOT_STORED\r\n");
	check("bad data chunk", "set a 0 0 1\r\nxyz\r\n",
	      "CLIENT_ERROR bad data chunk\r\nERROR\r\n");
	check("bad format", "set a x 0 1\r\n",
	      "CLIENT_ERROR bad command line format\r\n");
	check("negative length", "set a 0 0 -1\r\n",
	      "CLIENT_ERROR bad command line format\r\n");
	check("flags > 32 bits", "set a 4294967296 0 1\r\n",
	      "CLIENT_ERROR bad command line format\r\n");
	check("too large swallowed", "set a 0 0 2000000\r\nget a\r\n",
	      "SERVER_ERROR object too large for cache\r\n");
	line = malloc(300);
	memset(line, 'k', 251);
	strcpy(line + 251, "\r\n");
	big = malloc(400);
	snprintf(big, 400, "get %s", line);
	check("key too long", big, "CLIENT_ERROR bad command line format\r\n");
	free(big);
	big = malloc((1 << 20) + 100);
	i = sprintf(big, "set big 0 0 %d\r\n", 1 << 20);
	memset(big + i, 'v', 1 << 20);
	strcpy(big + i + (1 << 20), "\r\ndelete big\r\n");
	check("largest item", big, "STORED\r\nDELETED\r\n");
	free(big);
	free(line);
	check("delete", "delete a\r\ndelete a\r\n", "DELETED\r\nNOT_FOUND\r\n");
	check("delete 0 / bad hold", "delete a 0\r\ndelete a 5\r\n",
	      "NOT_FOUND\r\nCLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n");
	check("incr/decr",
	      "set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 100\r\nincr n 18446744073709551615\r\nincr n 1\r\n",
	      "STORED\r\n15\r\n0\r\n18446744073709551615\r\n0\r\n");
	check("incr bad delta", "incr n x\r\n",
	      "CLIENT_ERROR invalid numeric delta argument\r\n");
	check("incr non-numeric", "set s 0 0 1\r\nx\r\nincr s 1\r\n",
	      "STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
	check("incr missing", "incr nope 1\r\n", "NOT_FOUND\r\n");
	check("touch", "touch n 10\r\ntouch nope 10\r\ntouch n x\r\n",
	      "TOUCHED\r\nNOT_FOUND\r\nCLIENT_ERROR invalid exptime argument\r\n");
	fake_now += 11;
	check("touched item expired", "get n\r\n", "END\r\n");
	check("ttl", "set t 0 2 1\r\nx\r\ngat 100 t\r\n",
	      "STORED\r\nVALUE t 0 1\r\nx\r\nEND\r\n");
	fake_now += 50;
	check("gat extended ttl", "get t\r\n", "VALUE t 0 1\r\nx\r\nEND\r\n");
	fake_now += 51;
	check("gat ttl expires", "get t\r\n", "END\r\n");
	check("negative exptime", "set e 0 -1 1\r\nx\r\nget e\r\n",
	      "STORED\r\nEND\r\n");
	check("absolute exptime",
	      "set e 0 1000000300 1\r\nx\r\nget e\r\n",
	      "STORED\r\nVALUE e 0 1\r\nx\r\nEND\r\n");
	fake_now += 300;
	check("absolute exptime passed", "get e\r\n", "END\r\n");
	check("flush_all", "set f 0 0 1\r\nx\r\nflush_all\r\nget f\r\n",
	      "STORED\r\nOK\r\nEND\r\n");
	check("flush_all delayed",
	      "set f 0 0 1\r\nx\r\nflush_all 10\r\nget f\r\n",
	      "STORED\r\nOK\r\nVALUE f 0 1\r\nx\r\nEND\r\n");
	fake_now += 10;
	check("flush_all delayed fired", "get f\r\nset g 0 0 1\r\ny\r\nget g\r\n",
	      "END\r\nSTORED\r\nVALUE g 0 1\r\ny\r\nEND\r\n");
	check("flush_all bad", "flush_all x\r\n",
	      "CLIENT_ERROR invalid exptime argument\r\n");
	check("verbosity", "verbosity\r\nverbosity 1\r\nverbosity 1 noreply\r\nverbosity x\r\n",
	      "ERROR\r\nOK\r\nCLIENT_ERROR bad command line format\r\n");
	check("gat without keys", "gat\r\ngat 10\r\ngat x a\r\n",
	      "ERROR\r\nEND\r\nCLIENT_ERROR invalid exptime argument\r\n");
	check("stats reset", "stats reset\r\n", "RESET\r\n");
	check("stats bogus", "stats bogus\r\n", "ERROR\r\n");
	check("quit", "quit\r\nget a\r\n", "");
	check("pipelined gets",
	      "set p 1 0 1\r\nP\r\nget p\r\nget p\r\nmn\r\n",
	      "STORED\r\nVALUE p 1 1\r\nP\r\nEND\r\nVALUE p 1 1\r\nP\r\nEND\r\nMN\r\n");

	vmcd_server_destroy(&srv);
	be->ops->destroy(be);

	/* meta, on a fresh server: CAS values as memcached's */
	be = vmcd_backend_mem(0);
	vmcd_server_init(&srv, be, 1 << 20);
	srv.now = test_clock;
	be->now = test_clock;
	srv.started = fake_now;
	check("mg miss", "mg foo v\r\nmg foo v q\r\nmg foo k O12\r\n",
	      "EN\r\nEN kfoo O12\r\n");
	check("ms/mg", "ms foo 3 T0 F5 c\r\nbar\r\nmg foo v k f t c s O9\r\nmg foo\r\nmg foo s v q\r\n",
	      "HD c1\r\nVA 3 kfoo f5 t-1 c1 s3 O9\r\nbar\r\nHD\r\nVA 3 s3\r\nbar\r\n");
	check("mn", "mn\r\n", "MN\r\n");
	check("ms append", "ms foo 2 MA\r\nxx\r\nmg foo v\r\n",
	      "HD\r\nVA 5\r\nbarxx\r\n");
	check("ma non-numeric", "ma foo\r\n",
	      "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
	check("ma vivify", "ma cnt N0 J10 v\r\nma cnt MD D3 v t c\r\n",
	      "VA 2\r\n10\r\nVA 1 t-1 c4\r\n7\r\n");
	check("md", "md foo q\r\nmd foo\r\nmg foo q\r\nmd foo q\r\n",
	      "NF\r\nNF\r\n");
	check("ma q shows NF", "ma nope q\r\n", "NF\r\n");
	check("mg vivify", "mg viv N30 v c t\r\n", "VA 0 c5 t30 W\r\n\r\n");
	check("ms bad datalen", "ms big S5\r\n",
	      "CLIENT_ERROR bad command line format\r\n");
	check("ms bad mode", "ms foo 3 MZ\r\nabc\r\nmn\r\n",
	      "CLIENT_ERROR invalid mode for ms M token\r\nMN\r\n");
	check("mg bad flag", "mg foo zz\r\n", "CLIENT_ERROR invalid flag\r\n");
	check("mg no key", "mg\r\n", "ERROR\r\n");
	check("ms cas", "ms c 1 C999\r\nx\r\nms c 1\r\nx\r\nms c 1 C6 c\r\ny\r\n",
	      "NF\r\nHD\r\nHD c7\r\n");
	check("ms add", "ms c 1 ME\r\nx\r\n", "NS\r\n");
	check("me", "me nope\r\n", "EN\r\n");
	check("b: base64 keys",
	      "ms Zm9v 3 b k O5\r\nbar\r\nmg Zm9v b k v s\r\nmg foo v\r\n"
	      "ma Zm9v b k\r\nmd Zm9v b k q\r\nmg Zm9v b k\r\n",
	      "HD kZm9v b O5\r\nVA 3 kZm9v b s3\r\nbar\r\nVA 3\r\nbar\r\n"
	      "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
	      "EN kZm9v b\r\n");
	check("b: bad base64", "mg Zm9 b\r\nmg Zm!v b\r\nms Zm9 1 b\r\nx\r\nmn\r\n",
	      "CLIENT_ERROR error decoding key\r\nCLIENT_ERROR error decoding key\r\n"
	      "CLIENT_ERROR error decoding key\r\nMN\r\n");
	check("flag errors as 1.6.18",
	      "mg foo v v\r\nmd foo z\r\nmd foo q q\r\nma foo z\r\nma foo q q\r\n"
	      "ms foo 1 z\r\nx\r\nms foo 1 q q\r\nx\r\nmg e E5\r\nmd e x\r\nmn\r\n",
	      "CLIENT_ERROR duplicate flag\r\n"
	      "CLIENT_ERROR invalid or duplicate flag\r\n"
	      "CLIENT_ERROR invalid or duplicate flag\r\n"
	      "CLIENT_ERROR invalid or duplicate flag\r\n"
	      "CLIENT_ERROR invalid or duplicate flag\r\n"
	      "CLIENT_ERROR invalid flag\r\nCLIENT_ERROR duplicate flag\r\n"
	      "CLIENT_ERROR invalid flag\r\n"
	      "CLIENT_ERROR invalid or duplicate flag\r\nMN\r\n");
	check("ms return flags in order", "ms a 1 O9 k\r\ny\r\n", "HD O9 ka\r\n");
	check("flushed entries are absent to every command",
	      "set fa 0 0 1\r\nx\r\nflush_all\r\nadd fa 0 0 1\r\ny\r\nget fa\r\n"
	      "set fr 0 0 1\r\nx\r\nflush_all\r\nreplace fr 0 0 1\r\ny\r\n"
	      "append fr 0 0 1\r\ny\r\ntouch fr 10\r\ndelete fr\r\nincr fr 1\r\n"
	      "md fr\r\nset n 0 0 1\r\n5\r\nflush_all\r\nma n N0 J7 v\r\n",
	      "STORED\r\nOK\r\nSTORED\r\nVALUE fa 0 1\r\ny\r\nEND\r\nSTORED\r\n"
	      "OK\r\nNOT_STORED\r\nNOT_STORED\r\nNOT_FOUND\r\nNOT_FOUND\r\n"
	      "NOT_FOUND\r\nNF\r\nSTORED\r\nOK\r\nVA 1\r\n7\r\n");
	check("mg h l: the state before the get",
	      "set hl 0 0 1\r\nx\r\nmg hl h l\r\nmg hl l v h\r\nmg nope h l k\r\n",
	      "STORED\r\nHD h0 l0\r\nVA 1 l0 h1\r\nx\r\nEN knope\r\n");
	check("md I: stale, X with W to the first reader, Z after; a set clears",
	      "set iv 0 0 1\r\nx\r\nmd iv I\r\nmg iv v\r\nmg iv v\r\n"
	      "set iv 0 0 1\r\ny\r\nmg iv\r\nmd nope I\r\n",
	      "STORED\r\nHD\r\nVA 1 X W\r\nx\r\nVA 1 Z X\r\nx\r\n"
	      "STORED\r\nHD\r\nNF\r\n");
	check("md I T: a new TTL", "set it 0 0 1\r\nx\r\nmd it I T30 q\r\nmg it t\r\n",
	      "STORED\r\nHD t30 X W\r\n");
	check("mg R: W once the TTL is below the token, then Z",
	      "set rc 0 100 1\r\nx\r\nmg rc R30\r\nmg rc R200\r\nmg rc R200\r\nmg rc\r\n",
	      "STORED\r\nHD\r\nHD W\r\nHD Z\r\nHD Z\r\n");
	check("mg N: the vivifier wins, later readers see Z",
	      "mg vz N30\r\nmg vz\r\n", "HD W\r\nHD Z\r\n");
	check("binary protocol", "\x80\x0a\x00\x00", "CLIENT_ERROR binary protocol not supported\r\n");
	check("incomplete line", "get kkkkkkkkkkkkkkkkkkkkk", "");
	line = malloc(VMCD_LINE_MAX + 100);
	memset(line, 'k', VMCD_LINE_MAX + 99);
	line[VMCD_LINE_MAX + 99] = 0;
	check("line too long closes", line, "CLIENT_ERROR line too long\r\n");
	free(line);

	vmcd_server_destroy(&srv);
	be->ops->destroy(be);
}

int main(void)
{
	scratch = malloc((1 << 20) + 64);
	step = (size_t)-1;
	suite();
	step = 1;
	suite();
	free(scratch);
	return tap_done();
}

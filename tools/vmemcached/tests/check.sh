#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of vmemcached: the protocol test (under valgrind when
# installed), then memccapable -a (libmemcached-tools) against the real
# server on the in-memory backend: every ASCII test must pass.  TAP.
set -uo pipefail
: "${TEST:?}"
rc=0
if [ -n "${VALGRIND:-}" ]; then
	$VALGRIND -q --leak-check=full --errors-for-leak-kinds=all \
		--error-exitcode=99 "$TEST" || rc=1
else
	"$TEST" || rc=1
fi
exit $rc

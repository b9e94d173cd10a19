/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TAP output for the userspace test programs that are not kselftest-harness
 * tests (lib/tests, tools/testing/extent_alloc, tools/testing/repl_lru):
 * "ok N - what" or "not ok N - what" a test, then a summary line.
 */
#ifndef VMC_COMMON_TAP_H
#define VMC_COMMON_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned int tap_tests, tap_failures;
static bool tap_planned;

/**
 * tap_plan() - print the TAP version line and a plan of @n tests
 * @n: how many tests the program will report
 *
 * A program that does not know its count up front leaves this out and
 * tap_done() prints the plan at the end.
 */
static inline void tap_plan(unsigned int n)
{
	printf("TAP version 13\n1..%u\n", n);
	tap_planned = true;
}

/**
 * tap_ok() - report one test
 * @ok: whether it passed
 * @fmt: printf format of its description
 *
 * Return: @ok.
 */
static inline __attribute__((format(printf, 2, 3)))
bool tap_ok(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++tap_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tap_failures += !ok;
	fflush(stdout);
	return ok;
}

/**
 * tap_done() - print the plan if tap_plan() did not, and the summary
 *
 * Return: the program's exit status, 1 if any test failed, else 0.
 */
static inline int tap_done(void)
{
	if (!tap_planned)
		printf("1..%u\n", tap_tests);
	printf("# %u tests, %u failed\n", tap_tests, tap_failures);
	return tap_failures ? 1 : 0;
}

#endif /* VMC_COMMON_TAP_H */

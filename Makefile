# SPDX-License-Identifier: GPL-2.0
#
# vmemcache top-level Makefile.
#
#   make deps     install the build and test dependencies (Debian 12, root)
#   make          build the module, libvmemcache-kdev, vmemcachectl, selftests
#   make demo     build, then show the cache working inside a QEMU guest
#   make check    build, run the selftests in a QEMU guest on 6.1 and on
#                 6.12 (scripts/fetch-kernel) and the library tests on the
#                 host
#   make lint     module with W=1 C=1 (sparse) warning-free (W=1 against
#                 6.12 and 7.x too), checkpatch
#                 --strict over module/ and uapi/, man-check, doc-check
#   make man-check  lint the man pages in man/ (mandoc, groff)
#   make doc-check  kernel-doc over the module and the uapi header
#   make deb      Debian packages in build/deb/ (scripts/build-deb)
#   make deb-check  build, install, check and purge the packages, loading
#                 the dkms-built module in a guest (root)
#   make fuzz-alloc  libFuzzer on the extent allocator, in userspace, for
#                 FUZZ_SECS seconds (default 60)
#   make bench-tier  tiers: two-tier cache vs one tier of each size,
#                 zipfian gets, hit ratio and p50/p99 per tier
#   make bench-server  vmemcached against Debian's memcached (same load,
#                 set/get at 256 B and 4 KiB), ratios printed
#   make check-large  the large-scale run on a 4 GiB pmem pool (several
#                 minutes; not part of check)
#   make check-rt  the selftests on Debian's PREEMPT_RT kernel
#   make check-debug  the selftests on a debug kernel (KASAN, lockdep,
#                 kmemleak, UBSAN, fault injection) built from linux-source
#                 once and cached (scripts/debug-kernel)
#   make clean
#
# Variables: KVER / KDIR (kernel to build against; default: scripts/kver,
# the release linux-headers-amd64 stands for; for 6.12:
# eval "$(scripts/fetch-kernel 6.12)" and pass both), W=1 (extra kernel warnings), C=1 (sparse),
# VMEMCACHE_DEBUG=0 (`make module` without the test and benchmark tools),
# GUEST_TIMEOUT (seconds for the whole guest run), TEST_TIMEOUT (seconds per
# selftest binary), GUEST_APPEND (guest kernel arguments for check), SMP
# (guest CPUs).

# Evaluated when used (after `make deps` may have installed the headers).
KVER ?= $(shell $(CURDIR)/scripts/kver)
KDIR ?= /lib/modules/$(KVER)/build
# The module built here is for the tests and benchmarks: it carries their
# tools (module/Kbuild).  DKMS and the packages build it without them.
VMEMCACHE_DEBUG ?= 1

GUEST_TIMEOUT ?= 1200
TEST_TIMEOUT ?= 300
DEMO_TIMEOUT ?= 600
# Extra guest kernel arguments for `make check`: SLUB red zones, poisoning and
# consistency checks catch slab overruns and use-after-free in the Debian
# kernel (which has no KASAN); set GUEST_APPEND= to turn them off.
GUEST_APPEND ?= slub_debug=FZPU
GUEST_RUN = KVER=$(KVER) $(CURDIR)/selftests/guest/run.sh \
	    $(if $(SMP),--smp $(SMP))

BUILD_TARGETS := all module lib tools selftests demo check check-large bench \
		 bench-pmem bench-server bench-ops bench-tier check-rt check-debug debug-kernel

.PHONY: $(BUILD_TARGETS) deps clean kver lint man-check doc-check deb deb-check \
	fuzz-alloc

all: module lib tools selftests

# `make deps demo` / `make deps check`: deps first, even with -j.
ifneq ($(filter deps,$(MAKECMDGOALS)),)
$(BUILD_TARGETS): | deps
endif

deps:
	$(CURDIR)/scripts/install-deps

kver:
	@echo "KVER=$(KVER) KDIR=$(KDIR)"

module:
	@test -n "$(KVER)" -a -d "$(KDIR)" || \
	  { echo "no kernel headers (KDIR=$(KDIR)); run: make deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(W),W=$(W)) \
	  VMEMCACHE_DEBUG=$(VMEMCACHE_DEBUG) modules

lib:
	$(MAKE) -C lib

# vmemcachectl and the selftests may link libvmemcache-kdev.
tools: lib
	$(MAKE) -C tools

selftests: lib
	$(MAKE) -C selftests

# Figures of the benchmark in a 4-CPU guest (tsc=reliable for the clock);
# BENCH_SECS shortens the runs.
bench: all
	GUEST_EXTRA_FILES=$(CURDIR)/tools/vmemcache-bench $(GUEST_RUN) --mode demo \
		--smp 4 --append tsc=reliable --timeout 1200 scripts/bench.sh

# Puts and gets of 256 B..16 KiB against the floor, one thread; with
# BENCH_BEFORE=some.ko, that module and this one take turns in one boot.
# BENCH_APPEND: more kernel parameters (possible_cpus=256: a server's
# count of possible CPUs, which per-CPU structures are sized by).
bench-ops: all
	$(if $(BENCH_BEFORE),cp $(BENCH_BEFORE) $(CURDIR)/build/vmemcache-before.ko;)
	GUEST_EXTRA_FILES="$(CURDIR)/tools/vmemcache-bench $(if $(BENCH_BEFORE),$(CURDIR)/build/vmemcache-before.ko)" \
		$(GUEST_RUN) --mode demo --smp 4 \
		--append "tsc=reliable $(BENCH_APPEND)" \
		--timeout 1800 scripts/bench-ops.sh $(or $(BENCH_WINDOW),0.2) $(or $(BENCH_REPS),3)

# The persistent-memory figures: copy variants into pmem, and 1 MiB get
# bandwidth against fio on the raw device (fio is copied into the guest).
bench-pmem: all
	GUEST_EXTRA_FILES="$(CURDIR)/tools/vmemcache-bench $$(command -v fio)" \
		$(GUEST_RUN) --mode demo --smp 2 --append tsc=reliable \
		--timeout 1800 scripts/bench-pmem.sh $(BENCH_SECS)

# The tiering figures: a zipfian workload larger than the fast tier, on
# two tiers and on one tier of each tier's size (scripts/bench-tier.sh).
bench-tier: all
	GUEST_EXTRA_FILES="$(CURDIR)/tools/vmemcache-bench" \
		$(GUEST_RUN) --mode demo --smp 2 --append tsc=reliable \
		--timeout 1800 scripts/bench-tier.sh $(BENCH_OPS)

# vmemcached against Debian's memcached under the same load (mcload), in
# one guest boot; BENCH_SECS per run (default 5).  idle=poll: a vCPU that
# halts between requests waits for QEMU's next timer tick (about 4 ms per
# request from one connection), which would measure QEMU, not the servers.
bench-server: all
	$(MAKE) -C tools/vmemcached mcload
	GUEST_EXTRA_FILES="$(CURDIR)/tools/vmemcached/tests/mcload $(CURDIR)/tools/vmemcache-bench $$(command -v memcached)" \
		$(GUEST_RUN) --mode demo --smp 2 --append "tsc=reliable idle=poll" \
		--timeout 1200 scripts/bench-server.sh $(BENCH_SECS)

demo: all
	$(GUEST_RUN) --mode demo --timeout $(DEMO_TIMEOUT) scripts/demo.sh

# Host suites (library and vmemcachectl under valgrind, dkms build), then
# the selftests in the guest; the last line totals all of them.
check: all
	TEST_TIMEOUT=$(TEST_TIMEOUT) scripts/check --timeout $(GUEST_TIMEOUT) \
		$(if $(strip $(GUEST_APPEND)),--append "$(GUEST_APPEND)") \
		$(if $(SMP),--smp $(SMP))

deb:
	scripts/build-deb

deb-check:
	KVER=$(KVER) scripts/deb-check

man-check:
	scripts/man-check

doc-check:
	KVER=$(KVER) scripts/doc-check

# Each part runs even if an earlier one failed; the target fails if any did.
lint:
	@rc=0; \
	echo "==== lint: module (W=1 C=1) and checkpatch"; \
	KVER=$(KVER) scripts/lint || rc=1; \
	echo "==== lint: man pages"; scripts/man-check || rc=1; \
	echo "==== lint: kernel-doc"; KVER=$(KVER) scripts/doc-check || rc=1; \
	if [ $$rc -eq 0 ]; then echo "lint: PASS"; else echo "lint: FAIL"; fi; \
	exit $$rc
# module/extent_alloc.c built in userspace (tools/testing/extent_alloc).
fuzz-alloc:
	$(MAKE) -C tools/testing/extent_alloc fuzz $(if $(FUZZ_SECS),FUZZ_SECS=$(FUZZ_SECS))

# selftests/vmemcache/large_test alone, in a guest with 4 GiB of pmem and
# 4 GiB of RAM (its DRAM pass skips).
LARGE_DIR = $(CURDIR)/build/large
check-large: all
	mkdir -p $(LARGE_DIR)
	cp selftests/vmemcache/large_test $(LARGE_DIR)/
	echo large_test > $(LARGE_DIR)/TESTS
	VMC_TESTDIR=$(LARGE_DIR) $(GUEST_RUN) --mode check --mem 8G --pmem 4G \
		--timeout 3600 selftests/guest/check.sh -t 3000

# The reliability tiers (scripts/check-tier): the same selftests on other
# kernels.  The debug kernel is built on first use (about 30 minutes here).
check-rt: all
	scripts/check-tier rt $(if $(strip $(GUEST_APPEND)),--append "$(GUEST_APPEND)") \
		$(if $(SMP),--smp $(SMP))

check-debug: all
	scripts/check-tier debug $(if $(SMP),--smp $(SMP))

debug-kernel:
	scripts/debug-kernel

clean:
	if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	for d in lib tools selftests; do \
		if [ -f $$d/Makefile ]; then $(MAKE) -C $$d clean || exit 1; fi; \
	done
	rm -rf build

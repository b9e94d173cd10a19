#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the Debian kernel in a QEMU (TCG) guest with a busybox initramfs that
# carries the vmemcache module, vmemcachectl, vmemcached and the selftests,
# run one guest script there, and judge the result on the host.
#
# usage: run.sh [options] GUEST_SCRIPT [ARGS...]
#
#   --mode check|demo   check: count kselftest TAP results and print
#                       "N passed, N failed[, N skipped]" (default: demo,
#                       which only gives the crash/timeout/splat verdict)
#   --timeout SEC       wall-clock limit for the whole guest run (default 900)
#   --smp N             guest CPUs (default $SMP or 2)
#   --cpu MODEL         QEMU's -cpu (default max,-erms: without ERMS the
#                       kernel's memcpy is an unrolled loop, which TCG runs
#                       far faster than rep movsb)
#   --mem SIZE          guest RAM (default 6G; at least 6G with pmem)
#   --append ARGS       extra kernel command-line arguments
#   --pmem SIZE         size of the emulated pmem (/dev/pmem0), placed at
#                       4G (default 2G); a 128M /dev/pmem1 follows it past
#                       a 128M gap (see below).  --mem must leave RAM
#                       besides them, e.g. --mem 8G --pmem 4G
#   --no-pmem           no emulated pmem (no memmap=, no nvdimm modules)
#   --numa SIZE         two NUMA nodes: node 0 with the CPUs and --mem of
#                       RAM, node 1 with SIZE of RAM and no CPUs (a CXL
#                       memory expander, or device-DAX memory onlined as
#                       system RAM); guest RAM is --mem plus SIZE
#   --kernel IMAGE      boot this kernel image instead of /boot/vmlinuz-$KVER
#   --ko FILE           module to ship as /vmc/vmemcache.ko
#                       (default: module/vmemcache.ko)
#
#   --modbase DIR       the guest kernel's modules are under
#                       DIR/lib/modules/KVER (a kernel built outside Debian's
#                       packages, such as the debug kernel); default /
#
# Environment: KVER (default: scripts/kver, the newest standard kernel
# with headers), GUEST_EXTRA_FILES
# (space-separated host files copied to /vmc/bin), VMC_TESTDIR (selftest
# binaries and their TESTS list; default selftests/vmemcache), VMC_VERBOSE=1
# (show the guest's boot messages too; they are always in the console log).
#
# Exit status: 0 when the guest script exited 0, the guest did not crash or
# time out, and the kernel log is free of BUG/WARNING/Oops/... splats (and, in
# check mode, no test failed and at least one passed); non-zero otherwise.

set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MODE=demo
TIMEOUT=900
SMP=${SMP:-2}
CPU=max,-erms
MEM=6G
APPEND=
PMEM=1
PMEM_SIZE=2G
KERNEL=
KO=$TOP/module/vmemcache.ko
MODBASE=/
NUMA=

die() { echo "run.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--mode) MODE=$2; shift 2 ;;
	--mode=*) MODE=${1#*=}; shift ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--timeout=*) TIMEOUT=${1#*=}; shift ;;
	--cpu) CPU=$2; shift 2 ;;
	--cpu=*) CPU=${1#*=}; shift ;;
	--smp) SMP=$2; shift 2 ;;
	--smp=*) SMP=${1#*=}; shift ;;
	--mem) MEM=$2; shift 2 ;;
	--mem=*) MEM=${1#*=}; shift ;;
	--append) APPEND="$APPEND $2"; shift 2 ;;
	--append=*) APPEND="$APPEND ${1#*=}"; shift ;;
	--pmem) PMEM_SIZE=$2; shift 2 ;;
	--pmem=*) PMEM_SIZE=${1#*=}; shift ;;
	--no-pmem) PMEM=0; shift ;;
	--numa) NUMA=$2; shift 2 ;;
	--numa=*) NUMA=${1#*=}; shift ;;
	--kernel) KERNEL=$2; shift 2 ;;
	--kernel=*) KERNEL=${1#*=}; shift ;;
	--ko) KO=$2; shift 2 ;;
	--ko=*) KO=${1#*=}; shift ;;
	--modbase) MODBASE=$2; shift 2 ;;
	--modbase=*) MODBASE=${1#*=}; shift ;;
	-h|--help) sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || die "usage: run.sh [options] GUEST_SCRIPT [ARGS...]"
SCRIPT=$1; shift
[ -f "$SCRIPT" ] || die "guest script $SCRIPT not found"
case "$MODE" in check|demo) ;; *) die "--mode must be check or demo" ;; esac
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "bad --timeout $TIMEOUT"
[ -z "$NUMA" ] || [[ "$NUMA" =~ ^[0-9]+[MG]$ ]] || die "bad --numa $NUMA (e.g. 512M)"

# ---------------------------------------------------------------- kernel
if [ -z "${KVER:-}" ]; then
	KVER=$("$TOP/scripts/kver")
fi
[ -n "$KVER" ] || die "no kernel with headers under /lib/modules (run: make deps)"
[ -n "$KERNEL" ] || KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || die "cannot read kernel image $KERNEL (need root? run: make deps)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (run: make deps)"
# Does this ELF executable need the dynamic loader?
is_dynamic() { readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'; }

BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && ! is_dynamic "$b"; then
		BUSYBOX=$b; break
	fi
done
[ -n "$BUSYBOX" ] || die "static busybox missing (apt-get install busybox-static)"

# ---------------------------------------------------------------- initramfs
# Each run stages in its own directory (runs may overlap); the console log of
# the latest run ends up in build/guest/console.log.
OUT=$TOP/build/guest
mkdir -p "$OUT" || die "cannot create $OUT"
WORK=$(mktemp -d "$OUT/run.XXXXXX") || die "cannot create a directory in $OUT"
ROOT=$WORK/root
INITRD=$WORK/initramfs.cpio.gz
LOG=$WORK/console.log
FINAL_LOG=$OUT/console.log
finish() {
	if [ -f "$LOG" ]; then
		cp "$LOG" "$FINAL_LOG.$$" && mv -f "$FINAL_LOG.$$" "$FINAL_LOG"
	fi
	rm -rf "$WORK"
}
trap finish EXIT
mkdir -p "$ROOT"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,lib/modules,vmc/bin,vmc/tests} ||
	die "cannot create $ROOT"
cp "$BUSYBOX" "$ROOT/bin/busybox"
# A root account: programs that look users up (memcached -u root) need one.
echo 'root:x:0:0:root:/root:/bin/sh' > "$ROOT/etc/passwd"
echo 'root:x:0:' > "$ROOT/etc/group"

# Copy a host executable to DIR; a dynamic one gets its shared libraries too.
copy_exe() {
	local src=$1 dir=$2 lib
	cp "$src" "$dir/" || return 1
	if is_dynamic "$src"; then
		for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$ROOT$lib" ] && continue
			mkdir -p "$ROOT$(dirname "$lib")"
			cp -L "$lib" "$ROOT$lib"
		done
	fi
}

# unpack_module PATH DEST: a module file of the guest kernel's tree, unpacked.
unpack_module() {
	case "$1" in
	*.ko) cp "$1" "$2" ;;
	*.ko.xz) xz -dc "$1" > "$2" ;;
	*.ko.gz) gzip -dc "$1" > "$2" ;;
	*.ko.zst) zstd -qdc "$1" > "$2" ;;
	*) echo "run.sh: warning: don't know how to unpack $1" >&2; return 0 ;;
	esac || die "cannot copy module $1"
}

# Kernel modules from the guest kernel's tree, dependencies first.
declare -A MOD_DONE=()
MOD_ORDER=()
add_module() {
	local m=$1 path dep
	[ -n "${MOD_DONE[$m]:-}" ] && return 0
	MOD_DONE[$m]=1
	path=$(modinfo -b "$MODBASE" -k "$KVER" -n "$m" 2>/dev/null) || path=
	case "$path" in
	""|"(builtin)") return 0 ;;	# built in (or absent): nothing to load
	esac
	for dep in $(modinfo -b "$MODBASE" -k "$KVER" -F depends "$m" 2>/dev/null | tr , ' '); do
		add_module "$dep"
	done
	unpack_module "$path" "$ROOT/lib/modules/$m.ko"
	MOD_ORDER+=("$m")
}
if [ "$PMEM" = 1 ]; then
	# ext4: a block filesystem, to check that a claimed device cannot be
	# mounted, and for daxfs_test's DAX filesystem, whose mount loads
	# crc32c (metadata checksums) from the module ext4 does not depend on.
	for m in libnvdimm nd_btt nd_pmem nd_e820 device_dax dax_pmem ext4 \
		 crc32c_generic; do
		add_module "$m"
	done
fi
# veth: server_test's cluster links network namespaces with veth pairs.
add_module veth
printf '%s\n' "${MOD_ORDER[@]}" > "$ROOT/etc/vmc-modules"

# Modules the tests load themselves: brd, a RAM disk (a block device
# without DAX), as /vmc/brd.ko.
brd=$(modinfo -b "$MODBASE" -k "$KVER" -n brd 2>/dev/null) && unpack_module "$brd" "$ROOT/vmc/brd.ko"

# The module under test, the CLI and the selftests.
if [ -f "$KO" ]; then
	cp "$KO" "$ROOT/vmc/vmemcache.ko"
else
	echo "run.sh: warning: $KO not built; /vmc/vmemcache.ko absent" >&2
fi
for f in "$TOP/tools/vmemcachectl" "$TOP/tools/vmemcached/vmemcached"; do
	[ -x "$f" ] && copy_exe "$f" "$ROOT/vmc/bin"
done
for f in ${GUEST_EXTRA_FILES:-}; do
	copy_exe "$f" "$ROOT/vmc/bin" || die "cannot copy $f"
done
TESTDIR=${VMC_TESTDIR:-$TOP/selftests/vmemcache}
: > "$ROOT/vmc/tests/TESTS"
if [ -f "$TESTDIR/TESTS" ]; then
	while read -r t _; do
		case "$t" in ""|\#*) continue ;; esac
		if [ -x "$TESTDIR/$t" ]; then
			copy_exe "$TESTDIR/$t" "$ROOT/vmc/tests"
			echo "$t" >> "$ROOT/vmc/tests/TESTS"
		else
			echo "run.sh: warning: test $t listed in TESTS but not built" >&2
			echo "$t" >> "$ROOT/vmc/tests/TESTS"	# the guest reports it missing
		fi
	done < "$TESTDIR/TESTS"
fi
cp "$SCRIPT" "$ROOT/vmc/script.sh"

# Guest script arguments, single-quoted for busybox sh.
sq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
ARGS_Q=
for a in "$@"; do ARGS_Q="$ARGS_Q $(sq "$a")"; done

# A guest-side watchdog fires before the host timeout so that a hung guest
# still dumps its blocked tasks and kernel log.
if [ "$TIMEOUT" -ge 60 ]; then
	margin=$((TIMEOUT / 10)); [ $margin -lt 20 ] && margin=20
	GUEST_WD=$((TIMEOUT - margin))
else
	GUEST_WD=0
fi

cat > "$ROOT/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/vmc/bin:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root TERM=dumb VMEMCACHE_KO=/vmc/vmemcache.ko
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /sys/fs/cgroup
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up 2>/dev/null
for m in \$(cat /etc/vmc-modules); do
	insmod /lib/modules/\$m.ko || echo "VMC-INIT: insmod \$m failed"
done
if [ $PMEM = 1 ]; then
	i=0
	while { [ ! -b /dev/pmem0 ] || [ ! -b /dev/pmem1 ]; } && [ \$i -lt 50 ]; do
		sleep 0.1; i=\$((i + 1))
	done
	[ -b /dev/pmem0 ] || echo "VMC-INIT: /dev/pmem0 did not appear"
	[ -b /dev/pmem1 ] || echo "VMC-INIT: /dev/pmem1 (the anchor region) did not appear"
fi
echo "VMC-INIT: kernel \$(uname -r), \$(nproc) cpus, running script"

# With an argument, the kernel has a stuck CPU: no sync, and a reset
# (-no-reboot ends QEMU) rather than a power-off, which first moves to the
# boot CPU and would wait there forever if that is the stuck one.
dump_and_off() {
	echo VMC-DMESG-BEGIN
	dmesg
	echo VMC-DMESG-END
	if [ -n "\${1:-}" ]; then
		echo b > /proc/sysrq-trigger
	fi
	sync
	poweroff -f
}

if [ $GUEST_WD -gt 0 ]; then
	(
		sleep $GUEST_WD
		echo "VMC-GUEST-TIMEOUT after ${GUEST_WD}s; blocked tasks follow"
		echo w > /proc/sysrq-trigger
		sleep 1
		dump_and_off
	) &
	wdpid=\$!
fi

# A CPU stuck in the kernel hangs the script until the watchdog above,
# and the quiet console shows only the first line of its report: on the
# kernel's first report of a stuck CPU or task, add every CPU's backtrace
# and the blocked tasks to the log, and dump it at once.
(
	grep -qE 'soft lockup|hard LOCKUP|blocked for more than|detected stall' \
		/dev/kmsg || exit 0
	sleep 5
	echo "VMC-GUEST-STUCK: the kernel reports a stuck CPU or task"
	echo l > /proc/sysrq-trigger
	echo w > /proc/sysrq-trigger
	sleep 2
	dump_and_off stuck
) &

cd /tmp
sh /vmc/script.sh $ARGS_Q </dev/null &
wait \$!
rc=\$?
[ -n "\${wdpid:-}" ] && kill \$wdpid 2>/dev/null
echo "VMC-GUEST-EXIT \$rc"
dump_and_off
EOF
chmod 755 "$ROOT/init"

(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) \
	> "$INITRD" || die "cannot pack initramfs"

# ---------------------------------------------------------------- boot
# oops=panic: an oops stops the guest at once (its splat is printed in full
# even with "quiet") instead of leaving a half-dead kernel to hang the tests.
# WARNs do not panic; they are found in the kernel log dumped at the end.
CMDLINE="console=ttyS0,115200 panic=-1 oops=panic quiet"
CMDLINE="$CMDLINE $APPEND"

# Memory in MiB, from a size with an M or G suffix.
mib() { case "$1" in *G) echo $((${1%G} * 1024)) ;; *M) echo "${1%M}" ;; *) echo "$1" ;; esac; }

# Besides /dev/pmem0, a small second region (/dev/pmem1, 128 MiB, one
# section past a gap so that e820 does not merge the two) that no test
# touches.  Binding the pmem driver to the first FS_DAX region turns the
# kernel's devmap_managed_key on, and unbinding the last turns it off, each
# time by live-patching every put_page() in the kernel; under TCG a vCPU can
# go on running a stale translation of the patch's int3, which the kernel
# then backs over forever (a soft lockup in whatever called put_page()).
# With pmem1 bound for the whole boot, the tests that unbind and rebind
# pmem0 never flip the key.
if [ "$PMEM" = 1 ]; then
	[[ "$PMEM_SIZE" =~ ^[0-9]+[MG]$ ]] || die "bad --pmem $PMEM_SIZE (e.g. 2G)"
	ANCHOR_AT=$((4096 + $(mib "$PMEM_SIZE") + 128))M
	CMDLINE="$CMDLINE memmap=$PMEM_SIZE!4G memmap=128M!$ANCHOR_AT"
fi
MEMARGS=(-m "$MEM")
if [ -n "$NUMA" ]; then
	[[ "$MEM" =~ ^[0-9]+[MG]$ ]] || die "--numa needs --mem with an M or G suffix"
	MEMARGS=(-m "$(($(mib "$MEM") + $(mib "$NUMA")))M"
		 -object "memory-backend-ram,id=vmcmem0,size=$MEM"
		 -object "memory-backend-ram,id=vmcmem1,size=$NUMA"
		 -numa "node,nodeid=0,cpus=0-$((SMP - 1)),memdev=vmcmem0"
		 -numa "node,nodeid=1,memdev=vmcmem1")
fi

echo "run.sh: kernel $KERNEL ($KVER), smp $SMP, timeout ${TIMEOUT}s, mode $MODE${NUMA:+, node 1: $NUMA without CPUs}"
echo "run.sh: console log: $FINAL_LOG"
start=$(date +%s)
timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 \
	-accel tcg,thread=multi -cpu "$CPU" "${MEMARGS[@]}" -smp "$SMP" \
	-nodefaults -display none -no-reboot -serial stdio -monitor none \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE" \
	</dev/null 2>&1 |
	LC_ALL=C sed -u -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Za-z0-9]//g' \
		-e 's/\x1b[=>c78]//g' -e 's/\r//g' |
	tee "$LOG" |
	awk -v verbose="${VMC_VERBOSE:-0}" '
	# Live view: the kernel log dump is shown from the start of /init on
	# (the boot messages before it are in the console log).
	/^VMC-DMESG-BEGIN/ { indmesg = 1; boot = 1; print; fflush(); next }
	/^VMC-DMESG-END/ { indmesg = 0 }
	indmesg && boot && !verbose {
		if ($0 ~ /HOME=\/$/) boot = 0
		else if (!hidden++) print "[ boot messages omitted: see console.log ]"
		fflush(); next
	}
	{ print; fflush() }'
qrc=${PIPESTATUS[0]}
elapsed=$(($(date +%s) - start))

# ---------------------------------------------------------------- verdict
echo
echo "run.sh: guest finished in ${elapsed}s (qemu status $qrc)"
fail=0
reason() { echo "run.sh: FAIL: $*"; fail=1; }

if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	reason "qemu timed out after ${TIMEOUT}s"
elif [ "$qrc" -ne 0 ]; then
	reason "qemu exited with status $qrc"
elif grep -q 'qemu-system-x86_64: terminating on signal' "$LOG"; then
	reason "qemu was killed by a signal"
fi
if grep -q '^VMC-GUEST-TIMEOUT' "$LOG"; then
	reason "guest script still running after ${GUEST_WD}s (guest watchdog)"
fi
if grep -q '^VMC-GUEST-STUCK' "$LOG"; then
	reason "the kernel reported a stuck CPU or task; the guest stopped there"
fi
grc=$(sed -n 's/^.*VMC-GUEST-EXIT \([0-9]*\).*$/\1/p' "$LOG" | tail -n1)
if [ -z "$grc" ]; then
	grep -q '^VMC-GUEST-TIMEOUT' "$LOG" ||
		reason "no VMC-GUEST-EXIT marker: the guest crashed, panicked or hung"
elif [ "$grc" -ne 0 ]; then
	reason "guest script exited with status $grc"
fi

# Kernel splats, anywhere in the console (panics never reach the dmesg dump).
# The patterns are chosen not to match the normal boot of the Debian kernel or
# of a KASAN/lockdep/kmemleak debug kernel (e.g. "kmemleak: Kernel memory leak
# detector initialized", "RCU lockdep checking is enabled"). Only kernel lines
# (those with a printk timestamp, wherever it starts: kernel and user output
# can interleave mid-line) are scanned, so test output cannot trigger it.
SPLAT='BUG:|WARNING:|Oops[:#]|general protection fault|KASAN:|UBSAN:'
SPLAT="$SPLAT|suspected memory leak|unreferenced object 0x"
SPLAT="$SPLAT|possible circular locking|possible recursive locking"
SPLAT="$SPLAT|inconsistent lock state|suspicious RCU usage|DEBUG_LOCKS_WARN_ON"
SPLAT="$SPLAT|lockdep is turned off|turning off the locking correctness validator"
SPLAT="$SPLAT|Call Trace|Kernel panic|sleeping function called from invalid context"
SPLAT="$SPLAT|soft lockup|hard LOCKUP|blocked for more than|rcu_.*detected stall"
SPLAT="$SPLAT|self-detected stall|list_add corruption|list_del corruption"
SPLAT="$SPLAT|kernel BUG at|refcount_t:|BUG [^ ]+ \((Not tainted|Tainted)"
KLINE='\[ *[0-9]+\.[0-9]+\] '
if grep -qE -- "$KLINE" "$LOG"; then
	hits=$(grep -nE -- "$KLINE" "$LOG" | grep -E -- "$SPLAT")
else	# a kernel without printk timestamps: scan everything
	hits=$(grep -nE -- "$SPLAT" "$LOG")
fi
splats=$(echo "$hits" | sed -E 's/^[0-9]+://; s/^.*\[ *[0-9]+\.[0-9]+\] //' |
	 awk 'NF && !seen[$0]++')
if [ -n "$splats" ]; then
	reason "kernel log shows a splat:"
	echo "$splats" | head -n 40 | sed 's/^/    /'
	n=$(echo "$splats" | wc -l)
	[ "$n" -gt 40 ] && echo "    ... ($n lines; see $FINAL_LOG)"
	first=$(echo "$hits" | head -n1 | cut -d: -f1)
	echo "run.sh: the first splat:"
	awk -v from="$first" 'NR >= from && NR < from + 40 {
		print "    " $0; if ($0 ~ /end trace|end Kernel panic/) exit }' "$LOG"
	# Its first line and where it happened, for a caller that keeps
	# only the tail of a long log (scripts/check repeats these last).
	awk -v from="$first" 'NR == from { print; next }
		NR > from && NR < from + 60 && /RIP: |Comm: / { print }
		NR >= from + 60 { exit }' "$LOG" |
		sed -E 's/^.*\[ *[0-9]+\.[0-9]+\] //; s/^/run.sh: splat: /'
fi

if [ "$MODE" = check ]; then
	# kselftest TAP results. Lines between "# selftests: vmemcache: NAME"
	# and "VMC-BINARY NAME rc=RC" belong to binary NAME; a binary that
	# exits non-zero without a "not ok" line of its own crashed: one more
	# failure. The kselftest runner's own per-binary lines
	# ("ok N selftests: suite: name") are not tests and are ignored.
	counts=$(sed -n '/^VMC-DMESG-BEGIN/q;p' "$LOG" | awk '
	function finish(name, rc) {
		if (rc != 0 && !bin_fail) {
			failed++
			printf "run.sh: test binary %s exited with rc=%d without a \"not ok\" line\n", name, rc > "/dev/stderr"
		}
		cur = ""; bin_fail = 0; bin_skip = 0
	}
	{
		line = $0
		sub(/^[ \t]*/, "", line)
	}
	line ~ /^# selftests: [^ ]+: / {
		cur = line; sub(/^# selftests: [^ ]+: /, "", cur); sub(/ .*/, "", cur)
		bin_fail = 0; bin_skip = 0
		next
	}
	line ~ /^VMC-BINARY / {
		n = split(line, f, /[ \t]+/); rc = f[3]; sub(/^rc=/, "", rc)
		# exit 4 (KSFT_SKIP) without a failure: the binary skipped
		if (rc + 0 == 4 && !bin_fail) {
			if (!bin_skip) skipped++
			rc = 0
		}
		finish(f[2], rc + 0)
		next
	}
	{
		while (line ~ /^#[ \t]*/) sub(/^#[ \t]*/, "", line)
	}
	line ~ /^(not )?ok [0-9]+ selftests: / { next }
	line ~ /^1\.\.0/ && toupper(line) ~ /#[ \t]*SKIP/ { skipped++; bin_skip = 1; next }
	line ~ /^not ok [0-9]+([ \t]|$)/ {
		if (toupper(line) ~ /#[ \t]*(SKIP|TODO)/) { skipped++; bin_skip = 1; next }
		failed++; bin_fail = 1
		print "run.sh: failed: " line > "/dev/stderr"
		next
	}
	line ~ /^ok [0-9]+([ \t]|$)/ {
		if (toupper(line) ~ /#[ \t]*SKIP/) { skipped++; bin_skip = 1 }
		else passed++
		next
	}
	END {
		if (cur != "") {
			failed++
			printf "run.sh: test binary %s never finished\n", cur > "/dev/stderr"
		}
		printf "%d %d %d\n", passed, failed, skipped
	}' 2>&1)
	echo "$counts" | sed '$d'
	read -r passed failed skipped <<<"$(echo "$counts" | tail -n1)"
	[ "$failed" -gt 0 ] && reason "$failed test(s) failed"
	[ "$passed" -eq 0 ] && reason "no test passed"
	summary="$passed passed, $failed failed"
	[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
fi

if [ "$fail" -eq 0 ]; then
	echo "run.sh: PASS"
else
	echo "run.sh: guest verdict FAILED (console log: $FINAL_LOG)"
fi
[ "$MODE" = check ] && echo "$summary"
exit "$fail"

"""What the benchmarks read about the bot's process from /proc, a percentile, and the
machine's speed."""

import os
import resource
import subprocess
import sys


def cpu_times(pid):
    """(user, system) CPU time of the process so far, in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def cpu_seconds(pid):
    """User + system CPU time of the process so far."""
    return sum(cpu_times(pid))


def peak_rss_kib(pid):
    """The process's peak resident memory (VmHWM), in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def read_from_disk_at_start(binary):
    """Drops `binary` from the page cache, so that the bot's code comes from the disk through
    readahead, as on a host that starts it. A binary linked or copied just before sits in the
    folios its writer made, and the kernel maps a whole folio at a fault: its resident code, and
    so the peak RSS, then move with how it was written (bench/README.md, "Code laid out by
    use"). Pages still being written out, or mapped by another process, are not dropped: hence
    the fsync first."""
    fd = os.open(binary, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def fixed_loop_seconds():
    """CPU seconds a fresh Python takes for a fixed loop: how fast the machine runs right now.

    On the shared benchmark machines the bot's CPU per command moves by half between quiet and
    busy minutes (bench/README.md), so a figure is only comparable with the loop's time beside
    it. The loop barely touches memory, so it shows contention for caches only in part. It runs
    in a new interpreter: in the benchmark's own, its time grew with the emulator's heap.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", "for _ in range(3): sum(range(2 * 10**7))"],
                   check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def host_steal_seconds():
    """CPU time the hypervisor has taken from this VM's CPUs so far, all CPUs together: the
    `steal` column of /proc/stat. The benchmark machines are virtual and share their host; a
    phase with steal may owe its latency maximum to the machine rather than the bot."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()  # cpu user nice system idle iowait irq softirq steal
    return int(fields[8]) / os.sysconf("SC_CLK_TCK")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

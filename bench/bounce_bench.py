#!/usr/bin/env python3
"""bench/bounce_bench.py: bounce messages parsed per second, cqlist next to Sisimai (issue 6).

The whole shared corpus (../shared/bounces/sisimai-train/maildir/bsd, real bounces of many
MTAs and providers) is parsed in one process by each:

  cqlist   `cqlist bounces parse --json FILE...` (parse and classify every file, one JSON
           line per file), output to /dev/null;
  Sisimai  the Debian-packaged Perl library (libsisimai-perl), `Sisimai->make($file)` for
           each file in one perl process, the results' count printed at the end.

Both are timed from the outside, so both pay their start-up (perl loading Sisimai's modules
is part of what a caller pays too). Each process is given the corpus --rounds times (default
5) so that a run lasts long enough to be timed on a shared machine (one round of cqlist is
~30 ms); the fastest of --repeat runs counts. Wall time and CPU time (user + system of the child, from getrusage) are shown;
the ratio is taken on CPU time, which does not grow when other work shares the cores.
Target: cqlist at least 20x Sisimai.

Usage: bench/bounce_bench.py [--cqlist PATH] [--shared DIR] [--repeat N] [--rounds N]
"""
import argparse
import glob
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SISIMAI_SCRIPT = (
    "use Sisimai; my $n = 0;"
    " for my $f (@ARGV) { my $v = Sisimai->make($f, 'delivered' => 1); $n += scalar @{$v || []} }"
    " print \"$n\\n\";"
)


def find_cqlist(given):
    if given:
        return given
    for build in ["build-bench", "build"]:
        path = os.path.join(HERE, "..", build, "cqlist")
        if os.access(path, os.X_OK):
            return path
    return None


def timed(command, stdout):
    """(wall seconds, cpu seconds, completed process) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def fastest(command, repeat, stdout):
    runs = [timed(command, stdout) for _ in range(repeat)]
    return min(runs, key=lambda run: run[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cqlist", help="the cqlist binary (default: build-bench/cqlist, "
                        "else build/cqlist)")
    parser.add_argument("--shared", default=os.path.join(HERE, "..", "..", "shared"),
                        help="the shared data directory (default: ../shared)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5,
                        help="times each process reads the whole corpus")
    args = parser.parse_args()

    binary = find_cqlist(args.cqlist)
    if binary is None:
        sys.exit("bounce_bench: no cqlist binary; build it or give --cqlist PATH")
    files = sorted(glob.glob(os.path.join(args.shared, "bounces", "sisimai-train", "maildir",
                                          "bsd", "*.eml")))
    if not files:
        sys.exit(f"bounce_bench: no corpus under {args.shared}/bounces")
    if subprocess.run(["perl", "-MSisimai", "-e", "1"], stderr=subprocess.DEVNULL,
                      check=False).returncode != 0:
        sys.exit("bounce_bench: Sisimai is missing: run tools/install-deps.sh")

    work = files * args.rounds
    with open(os.devnull, "w", encoding="ascii") as devnull:
        cq_wall, cq_cpu, cq = fastest([binary, "bounces", "parse", "--json", *work],
                                      args.repeat, devnull)
    if cq.returncode not in (0, 65):  # 65: some files are not bounces cqlist reads
        sys.exit(f"bounce_bench: cqlist failed ({cq.returncode}): {cq.stderr.decode()[-400:]}")
    refused = cq.stderr.decode(errors="replace").count("\n") // args.rounds
    si_wall, si_cpu, si = fastest(["perl", "-e", SISIMAI_SCRIPT, *work], args.repeat,
                                  subprocess.PIPE)
    if si.returncode != 0:
        sys.exit(f"bounce_bench: Sisimai failed: {si.stderr.decode()[-400:]}")
    si_found = si.stdout.decode().strip()

    n = len(work)
    print(f"bounce parsing: {len(files)} messages of ../shared/bounces x {args.rounds} rounds "
          f"in one process each, {os.cpu_count()} cores, {os.getloadavg()[0]:.1f} load; "
          f"fastest of {args.repeat}")
    print(f"{'':10}{'wall s':>9}{'cpu s':>9}{'msg/s (cpu)':>14}{'msg/s (wall)':>15}")
    for name, wall, cpu in [("cqlist", cq_wall, cq_cpu), ("Sisimai", si_wall, si_cpu)]:
        print(f"{name:10}{wall:9.3f}{cpu:9.3f}{n / max(cpu, 1e-6):14.0f}"
              f"{n / max(wall, 1e-6):15.0f}")
    print(f"cqlist refused {refused} files as not bounces it reads; Sisimai returned "
          f"{int(si_found) // args.rounds} results per round")
    print(f"ratio_vs_sisimai cpu: {si_cpu / max(cq_cpu, 1e-6):.1f}x")
    print(f"ratio_vs_sisimai wall: {si_wall / max(cq_wall, 1e-6):.1f}x")


if __name__ == "__main__":
    main()

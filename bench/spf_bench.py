#!/usr/bin/python3
"""SPF evaluations per second: cqlist next to pyspf and libspf2, on the same records.

    /usr/bin/python3 bench/spf_bench.py --bench-binary build-bench/bench/cqlist_bench_spf

The record set is bench/spf_zone.txt (a company domain with a big provider's nested includes),
the checks bench/spf_checks.txt; every implementation must give each check its expected result
before its rate counts. Two comparisons:

  in memory  cqlist's check_host() over its StaticResolver, pyspf with spf.DNSLookup answered
             from a dict holding the same records: the cost of SPF itself, in CPU time (both
             are single-threaded, and CPU time does not grow when other work shares the
             machine).
  loopback   one real unbound on 127.0.0.1 serving the records, warm (every name has been
             asked once): cqlist through its libunbound resolver, pyspf through dnspython,
             libspf2 through `spfquery -file` (the C library resolver, so the server must be
             on port 53: everything runs in a private network and mount namespace, with a
             bind-mounted resolv.conf; that needs root or CAP_SYS_ADMIN).

Over DNS the rates are wall-clock. spfquery's process start is taken out by timing two batch
sizes and using the difference.
Target (issue 4): cqlist at least 20x pyspf.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from loopback_dns import LoopbackDns, free_port  # noqa: E402

NAMESPACE_MARK = "CQLIST_SPF_BENCH_NAMESPACE"


def read_zone(path):
    """[(name, type, rdata-text)] from StaticResolver zone text (no TTLs in this file)."""
    records = []
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, rtype, data = line.split(None, 2)
            records.append((name.lower(), rtype.upper(), data))
    return records


def read_checks(path):
    checks = []
    with open(path, encoding="ascii") as f:
        for line in f:
            fields = line.split()
            if fields and not fields[0].startswith("#"):
                checks.append(tuple(fields))
    return checks


def pyspf_table(records):
    """The records as spf.DNSLookup answers them: {(name, type): [((name, type), data)]}."""
    table = {}
    for name, rtype, data in records:
        if rtype == "TXT":
            value = [s.encode() for s in re.findall(r'"([^"]*)"', data)]
        elif rtype == "MX":
            preference, exchange = data.split()
            value = (int(preference), exchange.rstrip("."))
        else:
            value = data
        table.setdefault((name, rtype), []).append(((name, rtype), value))
    return table


def rate(evaluate, checks, seconds, clock):
    """Evaluations per second of evaluate(check) over whole rounds of `checks`."""
    done = 0
    start = clock()
    while True:
        for check in checks:
            evaluate(check)
        done += len(checks)
        elapsed = clock() - start
        if elapsed >= seconds:
            return done / elapsed


def measure_pyspf(checks, seconds, table=None, port=None):
    import spf
    import dns.resolver
    if table is not None:
        spf.DNSLookup = lambda name, qtype, *args, **kwargs: table.get(
            (name.lower().rstrip("."), qtype), [])
    else:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = port
        dns.resolver.default_resolver = resolver
        spf.DNSLookup = spf.DNSLookup_dnspython
    for ip, sender, helo, expected in checks:
        got = spf.check2(i=ip, s=sender, h=helo)[0]
        if got != expected:
            raise SystemExit(f"pyspf: {sender} from {ip} gave {got}, expected {expected}")
    # In memory: CPU time, as cqlist's in-memory rate; over DNS: the wall clock.
    clock = time.process_time if table is not None else time.perf_counter
    return rate(lambda c: spf.check2(i=c[0], s=c[1], h=c[2]), checks, seconds, clock)


def run_spfquery(path):
    start = time.perf_counter()
    proc = subprocess.run(["spfquery", "-file", path], capture_output=True, text=True,
                          timeout=600)
    return time.perf_counter() - start, proc.stdout


def measure_libspf2(checks, directory, rounds):
    """spfquery -file with `rounds` and 2*`rounds` copies of the checks; the difference
    between the two runs is the time of `rounds` rounds without the process start."""
    paths = []
    for copies in (rounds, 2 * rounds):
        path = os.path.join(directory, f"spfquery-{copies}.txt")
        with open(path, "w", encoding="ascii") as f:
            for _ in range(copies):
                for ip, sender, helo, _expected in checks:
                    f.write(f"{ip} {sender} {helo}\n")
        paths.append(path)
    # One warm-up round, which also checks the answers: spfquery prints the result word as the
    # first of four lines per query.
    _, out = run_spfquery(paths[0])
    results = out.splitlines()[0::4]
    expected = [c[3] for c in checks] * rounds
    if results != expected:
        raise SystemExit(f"libspf2: results {results[:len(checks)]} differ from "
                         f"{expected[:len(checks)]}")
    # The fastest of three runs of each size: other work on the machine only ever adds time.
    small = min(run_spfquery(paths[0])[0] for _ in range(3))
    large = min(run_spfquery(paths[1])[0] for _ in range(3))
    if large <= small:
        raise SystemExit("libspf2: the larger batch was not slower; raise --spfquery-rounds")
    return rounds * len(checks) / (large - small)


def measure_cqlist(binary, zone, checks, resolver, seconds):
    args = [binary, "--zone", zone, "--checks", checks, "--benchmark_format=json",
            f"--benchmark_min_time={seconds}"]
    if resolver:
        args += ["--resolver", resolver]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"cqlist: {proc.stderr}")
    return {b["name"].removesuffix("/real_time"): b["items_per_second"]
            for b in json.loads(proc.stdout)["benchmarks"]}


def in_namespace(argv):
    """Re-runs this script in a private network and mount namespace; False if refused."""
    probe = subprocess.run(["unshare", "-n", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        return False
    env = dict(os.environ, **{NAMESPACE_MARK: "1"})
    script = ("ip link set lo up && mount --bind \"$0\" /etc/resolv.conf && "
              "exec /usr/bin/python3 \"$@\"")
    with tempfile.NamedTemporaryFile("w", suffix=".resolv.conf", delete=False) as f:
        f.write("nameserver 127.0.0.1\n")
    try:
        code = subprocess.run(["unshare", "-n", "-m", "sh", "-c", script, f.name,
                               os.path.abspath(__file__), *argv], env=env).returncode
    finally:
        os.unlink(f.name)
    sys.exit(code)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench-binary", required=True, help="cqlist_bench_spf")
    parser.add_argument("--zone", default=os.path.join(HERE, "spf_zone.txt"))
    parser.add_argument("--checks", default=os.path.join(HERE, "spf_checks.txt"))
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--spfquery-rounds", type=int, default=1000)
    args = parser.parse_args()
    args.bench_binary = os.path.abspath(args.bench_binary)

    inside = os.environ.get(NAMESPACE_MARK) == "1"
    if not inside:
        in_namespace(sys.argv[1:])
        print("note: no private network namespace (unshare -n -m refused): libspf2 needs its "
              "DNS server on port 53 and is not measured")

    records = read_zone(args.zone)
    checks = read_checks(args.checks)
    loopback = {}
    for name, rtype, data in records:
        loopback.setdefault(name, []).append((rtype, data))
    port = 53 if inside else free_port()
    rows = []
    with LoopbackDns(loopback, zones=["test"], probe_name="example.test", port=port) as server:
        cqlist = measure_cqlist(args.bench_binary, args.zone, args.checks, server.address,
                                args.seconds)
        rows.append(("cqlist", "in memory", cqlist["spf/in_memory"]))
        rows.append(("pyspf", "in memory",
                     measure_pyspf(checks, args.seconds, table=pyspf_table(records))))
        rows.append(("cqlist", "loopback unbound", cqlist["spf/unbound"]))
        rows.append(("pyspf", "loopback unbound",
                     measure_pyspf(checks, args.seconds, port=port)))
        if inside:
            with tempfile.TemporaryDirectory(prefix="cqlist-spf-bench-") as directory:
                rows.append(("libspf2", "loopback unbound",
                             measure_libspf2(checks, directory, args.spfquery_rounds)))

    print(f"SPF: {len(checks)} checks over {len(records)} records "
          "(nested includes, mx, a, redirect, exists)")
    print(f"{'implementation':<16}{'DNS':<20}{'evaluations/s':>15}")
    for name, dns, value in rows:
        print(f"{name:<16}{dns:<20}{value:>15,.0f}")
    by = {(name, dns): value for name, dns, value in rows}
    for (name, dns), value in by.items():
        if name != "cqlist":
            ratio = by[("cqlist", dns)] / value
            print(f"ratio_vs_{name} {dns.replace(' ', '_')}: {ratio:.1f}x")
    target = by[("cqlist", "in memory")] / by[("pyspf", "in memory")]
    print(f"target cqlist >= 20x pyspf (in memory): {'met' if target >= 20 else 'NOT met'} "
          f"({target:.1f}x)")


if __name__ == "__main__":
    main()

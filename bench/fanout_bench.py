#!/usr/bin/env python3
"""bench/fanout_bench.py: one 4 KB post to 10,000 members, cqlist next to mlmmj (issue 5).

Everything goes into Postfix's smtp-sink on loopback (nothing is written to disk by it):
  (a) batched: cqlist with XVERP in transactions of 1,000 recipients (each batch signed
      once with RSA-2048 and Ed25519, which mlmmj cannot do), mlmmj with its
      verp=postfix / maxverprecips=1000 mode (also XVERP, one transaction per 1,000);
  (b) personalised: cqlist makes one copy per member with its own List-Unsubscribe token,
      signed with RSA-2048 and Ed25519; compared with the pure signing cost, 10,000 RSA-2048
      signatures measured by `openssl speed` in the same run, divided over both cores: once
      as the one-core rate doubled, once as measured with both cores signing at once
      (`-multi 2`). A virtual machine's one-core figure varies by a fifth from run to run
      (its clock); the two-core one is steadier and is the honest "over both cores".
      mlmmj has no personalised or signed mode; its closest, one transaction per recipient
      (VERP done by mlmmj), stalls ~44 ms per message, so it runs on a sample and is scaled.
Memory: cqlist (a) with 1,000, 10,000 and 100,000 members; streaming recipients from the
store keeps the peak independent of list size.

smtp-sink does not announce XVERP in its EHLO reply and has no option for it (it accepts
"MAIL FROM:<...> XVERP" all the same). cqlist only asks for XVERP when it is offered, so the
sink is started with a host name that carries one more EHLO line ("-h $'smtp-sink\\r\\n
250-XVERP'"). The name is in the greeting too, whose extra line "250-XVERP ESMTP" clients
then read as the first line of the EHLO reply: harmless for cqlist and mlmmj, and the same
sink serves both. One extra row, (a'), shows cqlist against the plain sink, where it falls
back to one envelope per recipient (one signed copy shared by all).

Wall time is measured here, CPU time and peak RSS by GNU time around each measured process,
the sink's CPU time from /proc. Rows are the fastest of --repeat runs, as the machine may be
shared; the `openssl speed` references are measured before and after, and the faster kept.
The VM's clock drifts within minutes too, so each (b) run is also paired with the RSA
references measured just before it, and (b)'s verdict is on the median of those ratios.
cqlist is timed as `cqlist deliver` (one pass over the due jobs by as many threads as the
configured delivery workers), and for (b) also as `cqlist serve` until the queue is empty.
The script starts its own unbound (empty zones, so the post's SPF/DKIM/DMARC lookups answer
at once), smtp-sink and cqlist daemons on free ports and kills each by PID; all files live in
one temporary directory.

Usage: bench/fanout_bench.py [--cqlist PATH] [--members N] [--repeat N] [--quick] [--keep]
--quick (1,000 members) checks that everything works; its ratios are dominated by start-up.
"""
import argparse
import atexit
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from list_env import cqlist_toml  # noqa: E402
from loopback_dns import LoopbackDns  # noqa: E402
from private_postfix import free_tcp_port as free_port  # noqa: E402

SMTP_SINK = "/usr/sbin/smtp-sink"
MLMMJ_SEND = "/usr/bin/mlmmj-send"  # mlmmj insists on being called by its full path
GNU_TIME = "/usr/bin/time"
LIST = "big@bench.example"
SMALL_LIST = "small@bench.example"
LARGE_LIST = "large@bench.example"
BATCH = 1000  # Postfix takes at most 1,000 RCPTs per transaction

_children = []  # every process started here, killed by PID at exit


def _cleanup():
    for process in _children:
        if process.poll() is None:
            try:
                os.kill(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


atexit.register(_cleanup)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


class Measured:
    """Wall time, CPU time and peak RSS of one process."""

    def __init__(self, wall, cpu, max_rss_kb, status):
        self.wall = wall
        self.cpu = cpu
        self.max_rss_mb = max_rss_kb / 1024.0
        self.status = status
        self.sink_cpu = 0.0  # the sink's CPU seconds in the same run, set by Table.row


def _child_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            children = f.read().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def measure(argv, log_path, stop_when=None, timeout=600):
    """Runs argv; with stop_when (a callable), SIGTERMs it once that returns True.

    CPU and peak RSS come from GNU time when it is installed: a child forked from this Python
    process starts with Python's peak RSS (the kernel keeps it across exec), which would hide
    anything smaller. Wall time is measured here (GNU time rounds to 10 ms).
    """
    stats = log_path + ".time"
    wrapped = os.access(GNU_TIME, os.X_OK)
    full = [GNU_TIME, "-f", "%U %S %M", "-o", stats, *argv] if wrapped else argv
    with open(log_path, "ab") as log:
        start = time.monotonic()
        process = subprocess.Popen(full, stdout=log, stderr=log)
        _children.append(process)
        wall = None
        if stop_when is not None:
            while not stop_when():
                if process.poll() is not None or time.monotonic() - start > timeout:
                    break
                time.sleep(0.005)
            wall = time.monotonic() - start
            target = _child_of(process.pid) if wrapped else process.pid
            if target is not None and process.poll() is None:
                os.kill(target, signal.SIGTERM)
        _, status, rusage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if wall is None:
            wall = time.monotonic() - start
    if not wrapped:
        return Measured(wall, rusage.ru_utime + rusage.ru_stime, rusage.ru_maxrss,
                        process.returncode)
    with open(stats, encoding="ascii") as f:
        lines = f.read().split("\n")
    status_line = next((line for line in lines if line.startswith("Command")), "")
    found = re.search(r"status (\d+)|signal (\d+)", status_line)
    code = 0 if not found else int(found.group(1) or 0) or -int(found.group(2) or 0)
    user, system, rss = [line for line in lines if line.strip()][-1].split()
    return Measured(wall, float(user) + float(system), float(rss), code)


class Sink:
    """smtp-sink on a free port, counting finished transactions (-c) from its output."""

    def __init__(self, announce_xverp):
        self.port = free_port()
        argv = [SMTP_SINK, "-c"]
        if os.geteuid() == 0:
            argv += ["-u", "nobody"]  # it refuses to run as root
        if announce_xverp:
            argv += ["-h", "smtp-sink\r\n250-XVERP"]
        argv += [f"127.0.0.1:{self.port}", "256"]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        _children.append(self.process)
        self.messages = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.02)
        else:
            self.stop()
            raise RuntimeError(f"smtp-sink did not listen on port {self.port}")
        time.sleep(0.05)
        self.reset()  # the probe connection counted as a session

    def _read(self):
        tail = b""
        while True:
            try:
                chunk = os.read(self.process.stdout.fileno(), 65536)
            except (OSError, ValueError):  # stop() closed the pipe during the pause below
                return
            if not chunk:
                return
            # The sink prints a line per message: reading each at once would wake this thread
            # thousands of times a second on the cores being measured. Its pipe holds
            # ~2,700 lines, far more than arrive in this pause.
            time.sleep(0.02)
            tail = (tail + chunk)[-200:]
            found = re.findall(rb"mesg=(\d+)", tail)
            if found:
                with self._lock:
                    self.messages = int(found[-1])

    def count(self):
        with self._lock:
            return self.messages - self.base

    def reset(self):
        with self._lock:
            self.base = self.messages
        self.cpu_base = self._cpu_seconds()

    def _cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cpu(self):
        """CPU seconds the sink used since reset()."""
        return self._cpu_seconds() - self.cpu_base

    def wait_for(self, expected, timeout=5.0):
        deadline = time.monotonic() + timeout
        while self.count() < expected and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.count()

    def stop(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait()
        self.process.stdout.close()


# The post: a plain-text message of 4 KB, as a member would write it.
PARAGRAPHS = [
    "Thanks to everyone who came to Saturday's meeting. For those who could not make it, "
    "here is a summary of what we discussed and what we agreed to do before the next one.",
    "First, the repeater on the hill. The new antenna is up and the SWR is fine across the "
    "band, but the duplexer still needs tuning: the receiver is desensitised by about 6 dB "
    "when the transmitter keys up. Ken has offered to bring his analyser next weekend; if "
    "you have a spare set of N-type connectors, please bring those too.",
    "Second, the field day. We have the site booked from Friday evening to Sunday noon. We "
    "need two more operators for the night shift on 40 m and someone who can take care of "
    "the generator. The sign-up sheet is on the club web page; please add your name by the "
    "end of the month so that we can plan the food and the tents.",
    "Third, membership fees. The treasurer reminds everyone that fees for next year are due "
    "in January. The amount stays the same. You can pay by bank transfer or in cash at the "
    "meeting; please put your call sign in the reference so that we can match the payment.",
    "Fourth, the newsletter. Mariko is looking for articles: build reports, contest "
    "stories, photos from your shack, anything you think other members would enjoy. Short "
    "pieces are welcome. Send them to her directly, not to the list, before the 15th.",
    "Finally, a few people asked about the antenna workshop. It will be held on the second "
    "Sunday of next month at the community hall, from ten to four. Bring your own tools if "
    "you have them; wire, coax and connectors will be provided at cost. Lunch is included.",
    "If I forgot anything, reply to this message and I will post a correction. See you all "
    "on the Tuesday net at 21:00 on the repeater, and at the next meeting.",
]


def wrap(text, width=72):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def make_post(message_id, target=4096):
    head = (f"From: Alice Example <alice@author.example>\nTo: {LIST}\n"
            "Subject: Summary of Saturday's meeting\n"
            "Date: Sat, 28 Nov 2026 10:15:00 +0900\n"
            f"Message-ID: <{message_id}@author.example>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n")
    body = "Hello all,\n\n" + "\n\n".join(wrap(p) for p in PARAGRAPHS) + "\n\n-- \nAlice\n"
    filler = 0
    while len(head) + len(body) < target:
        body += wrap(PARAGRAPHS[filler % len(PARAGRAPHS)]) + "\n"
        filler += 1
    return (head + body)[:target].rsplit("\n", 1)[0] + "\n"


FIRST = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
         "ken", "laura", "mallory", "ned", "olivia", "peggy", "quinn", "rupert", "sybil",
         "trent", "ursula", "victor", "walter", "xena", "yuki", "zoe"]
DOMAINS = ["example.com", "example.net", "example.org", "mail.example.jp", "isp.example",
           "corp.example", "univ.example.ac.jp", "home.example"]


def member_addresses(count):
    return [f"{FIRST[i % len(FIRST)]}.{i:05d}@{DOMAINS[(i // 7) % len(DOMAINS)]}"
            for i in range(count)]


class Cqlist:
    """A data directory with the two lists, and the commands that work on it."""

    def __init__(self, binary, workdir, sink_port, dns_address):
        self.binary = binary
        self.dir = os.path.join(workdir, "cqlist")
        os.makedirs(self.dir)
        self.log = os.path.join(self.dir, "commands.log")
        self.config = os.path.join(self.dir, "cqlist.toml")
        self.sink_port = sink_port
        self.dns_address = dns_address
        self.write_config()
        self.posts = 0
        self.workers = 4  # cqlist.toml's default [delivery] workers

    def write_config(self):
        with open(self.config, "w", encoding="ascii") as f:
            f.write(cqlist_toml(f"{self.dir}/data", self.dns_address, relay_port=self.sink_port,
                                lmtp_port=free_port(), http_port=free_port(),
                                hostname="lists.bench.example"))

    def point_at(self, sink_port):
        self.sink_port = sink_port
        self.write_config()

    def run(self, *args, stdin=None, config=True):
        argv = [self.binary, *args] + (["--config", self.config] if config else [])
        with open(self.log, "ab") as log:
            result = subprocess.run(argv, input=stdin,
                                    stdout=subprocess.PIPE, stderr=log, timeout=600)
        if result.returncode != 0:
            raise RuntimeError(f"cqlist {' '.join(args)} failed ({result.returncode}); "
                               f"see {self.log}")
        return result.stdout.decode(errors="replace")

    def create(self, address, members):
        # No owner: owners get posts too, and the sink counts must match the member count.
        self.run("list", "create", address, "--set",
                 f"batch_size={BATCH}", "--set", "posting=open")
        path = os.path.join(self.dir, address.split("@")[0] + ".members")
        with open(path, "w", encoding="ascii") as f:
            f.write("\n".join(members) + "\n")
        start = time.monotonic()
        self.run("members", "import", address, path)
        return time.monotonic() - start

    def keys(self):
        rsa = os.path.join(self.dir, "rsa.pem")
        ed = os.path.join(self.dir, "ed25519.pem")
        self.run("dkim", "keygen", "--domain", "bench.example", "--selector", "rsa1",
                 "--algorithm", "rsa2048", "--out", rsa, config=False)
        self.run("dkim", "keygen", "--domain", "bench.example", "--selector", "ed1",
                 "--algorithm", "ed25519", "--out", ed, config=False)
        return rsa, ed

    def inject(self, address):
        self.posts += 1
        post = make_post(f"bench{self.posts}.{os.getpid()}").replace(LIST, address)
        start = time.monotonic()
        self.run("inject", address, stdin=post.encode())
        return time.monotonic() - start

    def deliver(self):
        return measure([self.binary, "deliver", "--config", self.config], self.log)

    def serve(self, stop_when, timeout):
        return measure([self.binary, "serve", "--config", self.config], self.log,
                       stop_when=stop_when, timeout=timeout)

    def pending_jobs(self):
        """Jobs not yet done, or None when the store could not be read just now."""
        try:
            out = self.run("queue")
        except RuntimeError:
            return None
        return sum(1 for line in out.splitlines() if re.match(r"\s*\d+\s", line))


class Mlmmj:
    """A list directory made by hand, as mlmmj-make-ml would (README, TUNABLES)."""

    def __init__(self, workdir, name, members, sink_port, verp_batch):
        self.dir = os.path.join(workdir, "mlmmj", name)
        for sub in ["incoming", "queue/discarded", "archive", "text", "subconf", "unsubconf",
                    "bounce", "control", "moderation", "subscribers.d", "digesters.d",
                    "nomailsubs.d", "requeue"]:
            os.makedirs(os.path.join(self.dir, sub))
        control = os.path.join(self.dir, "control")
        self._write(control, "listaddress", LIST)
        self._write(control, "relayhost", "127.0.0.1")
        self._write(control, "smtpport", str(sink_port))
        if verp_batch:
            # XVERP=-= on MAIL FROM, one transaction per maxverprecips recipients.
            self._write(control, "verp", "postfix")
            self._write(control, "maxverprecips", str(verp_batch))
        by_letter = {}
        for address in members:
            by_letter.setdefault(address[0], []).append(address)
        for letter, addresses in by_letter.items():
            self._write(os.path.join(self.dir, "subscribers.d"), letter, "\n".join(addresses))
        self.log = os.path.join(self.dir, "send.log")
        self.posts = 0

    @staticmethod
    def _write(directory, name, text):
        with open(os.path.join(directory, name), "w", encoding="ascii") as f:
            f.write(text + "\n")

    def send(self):
        self.posts += 1
        mail = os.path.join(self.dir, "queue", f"bench{self.posts}")
        with open(mail, "w", encoding="utf-8") as f:
            f.write(make_post(f"mlmmj{self.posts}.{os.getpid()}"))
        # -L list directory, -m mail file: a list post to every subscriber (mlmmj-send(1)).
        return measure([MLMMJ_SEND, "-L", self.dir, "-m", mail], self.log)


def openssl_sign_rate(algorithm, pattern, processes=1):
    """Signatures per second; with processes > 1, of that many signing at once (-multi)."""
    multi = ["-multi", str(processes)] if processes > 1 else []
    out = subprocess.run(["openssl", "speed", *multi, "-seconds", "2", algorithm],
                         capture_output=True, text=True, timeout=120).stdout
    found = re.search(pattern, out)
    if not found:
        raise RuntimeError(f"cannot find the sign/s figure in `openssl speed {algorithm}`")
    return float(found.group(1))


RSA_RATE = r"rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)"


def signing_rates():
    """One-core RSA-2048 and Ed25519 sign/s, and RSA-2048 sign/s with both cores at once."""
    return (openssl_sign_rate("rsa2048", RSA_RATE),
            openssl_sign_rate("ed25519", r"\(Ed25519\)\s+\S+\s+\S+\s+([\d.]+)"),
            openssl_sign_rate("rsa2048", RSA_RATE, 2))


def best_of(repeat, run):
    """The fastest of `repeat` runs (the machine is shared); RSS is the largest seen."""
    results = [run() for _ in range(repeat)]
    best = min(results, key=lambda r: (r[0].status != 0, r[0].wall))
    best[0].max_rss_mb = max(r[0].max_rss_mb for r in results)
    return best


class Table:
    def __init__(self):
        self.results = {}
        print(f"{'scenario':<48} {'wall s':>7} {'cpu s':>6} {'RSS MB':>7} {'sink s':>6} "
              f"{'transac':>7}")

    def row(self, key, name, result, sink_cpu, transactions, expected, note=""):
        result.sink_cpu = sink_cpu
        self.results[key] = result
        check = ""
        if transactions != expected:
            check = f"  {'DUPLICATES' if transactions > expected else 'MISSING'}: " \
                    f"{transactions} of {expected} expected"
        status = "" if result.status == 0 else f"  EXIT {result.status}"
        print(f"{name:<48} {result.wall:7.2f} {result.cpu:6.2f} {result.max_rss_mb:7.1f} "
              f"{sink_cpu:6.2f} {transactions:7d}{check}{status}{note}", flush=True)


def find_cqlist(given):
    if given is not None:
        return given if os.access(given, os.X_OK) else None
    for candidate in ["build-bench/cqlist", "build/cqlist"]:
        if os.access(os.path.join(ROOT, candidate), os.X_OK):
            return os.path.join(ROOT, candidate)
    return None


def run_scenarios(args, cq, sink, plain_sink, workdir):
    n, batches = args.members, math.ceil(args.members / BATCH)
    members = member_addresses(args.large)
    import_time = cq.create(LIST, members[:n])
    cq.create(SMALL_LIST, members[:args.small])
    cq.create(LARGE_LIST, members)
    rsa_key, ed_key = cq.keys()
    for address in [LIST, SMALL_LIST, LARGE_LIST]:
        # Signed in (a) too (once per batch), as a real list would be; mlmmj does not sign.
        cq.run("list", "set", address, f"dkim_key_rsa={rsa_key}", "dkim_selector_rsa=rsa1",
               f"dkim_key_ed25519={ed_key}", "dkim_selector_ed25519=ed1")
    table = Table()

    def cqlist_deliver(key, name, address, expected, on=sink, repeat=1):
        def once():
            inject = cq.inject(address)
            on.reset()
            result = cq.deliver()
            return result, on.cpu(), on.wait_for(expected), inject
        result, sink_cpu, count, inject = best_of(repeat, once)
        table.row(key, name, result, sink_cpu, count, expected, f"  (inject {inject:.2f} s)")

    def mlmmj_send(key, name, mlmmj, expected, repeat=1, note=""):
        def once():
            sink.reset()
            result = mlmmj.send()
            return result, sink.cpu(), sink.wait_for(expected)
        result, sink_cpu, count = best_of(repeat, once)
        table.row(key, name, result, sink_cpu, count, expected,
                  note(result) if callable(note) else note)

    r = args.repeat
    cqlist_deliver("a", f"(a) cqlist deliver, XVERP x{BATCH}, {n}", LIST, batches, repeat=r)
    mlmmj_send("ml_a", f"(a) mlmmj-send, verp=postfix x{BATCH}, {n}",
               Mlmmj(workdir, "big", members[:n], sink.port, verp_batch=BATCH), batches,
               repeat=r)
    cq.point_at(plain_sink.port)
    cqlist_deliver("a_plain", f"(a') cqlist deliver, XVERP not offered, {n}", LIST, n,
                   on=plain_sink, repeat=r)
    cq.point_at(sink.port)
    for key, address, size in [("a_small", SMALL_LIST, args.small),
                               ("a_large", LARGE_LIST, args.large)]:
        cqlist_deliver(key, f"(a) cqlist deliver, XVERP x{BATCH}, {size}", address,
                       math.ceil(size / BATCH))

    cq.run("list", "set", LIST, "personalize=true", "web_url=https://lists.bench.example/big/")
    # A virtual machine's speed drifts by a tenth or more within minutes, so each (b) run is
    # paired with the RSA reference measured just before it.
    paired = {}

    def personal(key, name, once):
        runs = []
        for _ in range(r):
            rates = (openssl_sign_rate("rsa2048", RSA_RATE),
                     openssl_sign_rate("rsa2048", RSA_RATE, 2))
            runs.append((*once(), rates))
        result, sink_cpu, count, inject, _ = min(runs, key=lambda run: (run[0].status != 0,
                                                                        run[0].wall))
        table.row(key, name, result, sink_cpu, count, n, f"  (inject {inject:.2f} s)")
        paired[key] = [(run[0].wall, run[4]) for run in runs]

    def deliver_once():
        inject = cq.inject(LIST)
        sink.reset()
        result = cq.deliver()
        return result, sink.cpu(), sink.wait_for(n), inject

    def serve_once():
        inject = cq.inject(LIST)
        sink.reset()
        # Done when every member has a copy and the store agrees (a job sent twice would
        # reach the count early; the queue is asked only once the count is there).
        result = cq.serve(lambda: sink.count() >= n and cq.pending_jobs() == 0, timeout=600)
        return result, sink.cpu(), sink.wait_for(n), inject

    personal("b", f"(b) cqlist deliver, personal RSA+Ed25519, {n}", deliver_once)
    personal("b_serve", f"(b) cqlist serve ({cq.workers} workers), same, {n}", serve_once)
    sample = args.mlmmj_sample
    mlmmj_send("ml_b", f"(b) mlmmj-send, per-recipient VERP, {sample}",
               Mlmmj(workdir, "sample", members[:sample], sink.port, verp_batch=0), sample,
               note=lambda result: f"  -> {result.wall * n / sample:.0f} s for {n} (scaled)")
    return table.results, paired, import_time, cq.pending_jobs()


def summary(args, results, paired, references):
    n = args.members
    rsa_rate, ed_rate, rsa_rate_2 = (max(rates) for rates in zip(*references))
    print("openssl speed before / after the scenarios, sign/s: " + "; ".join(
        f"{name} {' / '.join(f'{rates[i]:.0f}' for rates in references)}"
        for i, name in enumerate(["RSA-2048", "Ed25519", "RSA-2048 -multi 2"])) +
        " (the fastest is the reference)")
    sign_cost = n / rsa_rate / 2
    sign_cost_2 = n / rsa_rate_2
    both_cost = n * (1 / rsa_rate + 1 / ed_rate) / 2
    print(f"openssl speed: RSA-2048 {rsa_rate:.0f} sign/s, Ed25519 {ed_rate:.0f} sign/s "
          f"(one core); pure RSA signing cost of {n} over 2 cores: {sign_cost:.2f} s "
          f"(RSA+Ed25519: {both_cost:.2f} s)")
    print(f"openssl speed -multi 2: RSA-2048 {rsa_rate_2:.0f} sign/s on both cores at once; "
          f"pure RSA signing cost of {n}: {sign_cost_2:.2f} s")

    def verdict(ok):
        return "PASS" if ok else "FAIL"

    speed_a = results["ml_a"].wall / results["a"].wall
    print(f"ratio (a) mlmmj / cqlist wall: {speed_a:.1f}x (target >= 2x) {verdict(speed_a >= 2)}")
    for label in ["b", "b_serve"]:
        # Each run against the references measured just before it; the verdict on the median.
        one_core = sorted(wall / (n / rate / 2) for wall, (rate, _) in paired[label])
        two_cores = sorted(wall / (n / rate_2) for wall, (_, rate_2) in paired[label])
        median_1, median_2 = statistics.median(one_core), statistics.median(two_cores)
        name = "deliver" if label == "b" else "serve"
        print(f"ratio (b) cqlist {name} / RSA signing cost, each run paired with openssl speed "
              f"just before it: one core x2 {', '.join(f'{x:.2f}' for x in one_core)}x, median "
              f"{median_1:.2f}x {verdict(median_1 <= 1.3)}; both cores measured "
              f"{', '.join(f'{x:.2f}' for x in two_cores)}x, median {median_2:.2f}x "
              f"{verdict(median_2 <= 1.3)} (target <= 1.3x)")
        wall = results[label].wall
        print(f"    fastest run against the fastest references above: one core x2 "
              f"{wall / sign_cost:.2f}x, both cores {wall / sign_cost_2:.2f}x; / RSA+Ed25519 "
              f"cost: {wall / both_cost:.2f}x")
        # What the two cores must do whatever the list server: both signatures of every copy
        # at openssl's speed, and the sink's own CPU time of that run. (cqlist signs Ed25519
        # with libsodium, about twice as fast as openssl: its real floor is ~0.15 s lower.)
        floor = sign_cost_2 + n / ed_rate / 2 + results[label].sink_cpu / 2
        print(f"    floor on these two cores (RSA -multi 2 + Ed25519 at openssl's speed + the sink's "
              f"{results[label].sink_cpu:.2f} s CPU, all over both cores): {floor:.2f} s = "
              f"{floor / sign_cost:.2f}x / {floor / sign_cost_2:.2f}x of the RSA references; "
              f"cqlist's own share of the wall time: {wall - floor:.2f} s")
    scaled = results["ml_b"].wall * n / args.mlmmj_sample
    print(f"(b) mlmmj has no signed or personalised mode; its per-recipient VERP mode took "
          f"{scaled:.0f} s for {n} (scaled from {args.mlmmj_sample}); no target")
    rss = {key: results[key].max_rss_mb for key in ["a_small", "a", "a_large"]}
    print(f"memory (a) cqlist max RSS: {args.small} members {rss['a_small']:.1f} MB, {n} "
          f"{rss['a']:.1f} MB, {args.large} {rss['a_large']:.1f} MB "
          f"({rss['a_large'] / rss['a_small']:.2f}x for {args.large // args.small}x the "
          f"members); mlmmj {results['ml_a'].max_rss_mb:.1f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cqlist", help="the cqlist binary (default: build-bench/cqlist, "
                        "else build/cqlist)")
    parser.add_argument("--members", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each row; the "
                        "fastest is shown")
    parser.add_argument("--mlmmj-sample", type=int, default=500,
                        help="recipients for mlmmj's per-recipient mode (scaled up)")
    parser.add_argument("--quick", action="store_true",
                        help="1,000 members, one run per row, mlmmj sample of 100")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if args.quick:
        args.members, args.mlmmj_sample, args.repeat = 1000, 100, 1
    args.small, args.large = max(args.members // 10, 1), args.members * 10

    binary = find_cqlist(args.cqlist)
    if binary is None:
        sys.exit("fanout_bench: no cqlist binary; build it or give --cqlist PATH")
    for tool in [SMTP_SINK, MLMMJ_SEND]:
        if not os.access(tool, os.X_OK):
            sys.exit(f"fanout_bench: {tool} is missing: run tools/install-deps.sh")
    workdir = tempfile.mkdtemp(prefix="cqlist-fanout-")
    if not args.keep:
        atexit.register(shutil.rmtree, workdir, True)
    # The signing reference before and after the scenarios, while nothing else of this run is
    # busy; like cqlist's rows, the fastest is kept.
    references = [signing_rates()]

    print(f"fan-out of one 4 KB post into smtp-sink on 127.0.0.1, {os.cpu_count()} cores, "
          f"{os.getloadavg()[0]:.1f} load; cqlist {binary}")
    records = {"author.example": [("TXT", '"v=spf1 -all"')],
               "_dmarc.author.example": [("TXT", '"v=DMARC1; p=none"')]}
    with LoopbackDns(records, zones=["author.example", "bench.example"]) as dns:
        sink = Sink(announce_xverp=True)
        plain_sink = Sink(announce_xverp=False)
        try:
            cq = Cqlist(binary, workdir, sink.port, dns.address)
            results, paired, import_time, left = run_scenarios(args, cq, sink, plain_sink,
                                                               workdir)
        finally:
            sink.stop()
            plain_sink.stop()
    references.append(signing_rates())
    print(f"\nmembers import ({args.members}): {import_time:.2f} s; jobs left in the queue: "
          f"{left}")
    summary(args, results, paired, references)
    if args.keep:
        print(f"files kept in {workdir}")


if __name__ == "__main__":
    main()

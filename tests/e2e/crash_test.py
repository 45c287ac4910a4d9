"""Crash safety of the list server: `kill -9` at arbitrary moments of a 2,000-member fan-out,
restart, and every member still gets the post, and no batch the MTA accepted is sent again.

One duplicate remains possible per kill, and only in one place SMTP itself leaves open
(RFC 1047): when the kill lands after Postfix has committed a batch on receiving the final
"." but before its "250" reaches cqlist, nobody can know the batch arrived. The test checks
that every duplicate is exactly such a batch: its job never shows as sent in cqlist's log
before the kill, and there is at most one per delivery worker and kill.

Topology (all 127.0.0.1): the post is handed to cqlist with `cqlist inject` (the same code path
as LMTP); `cqlist serve` delivers the jobs over SMTP with XVERP to a private Postfix's
reinjection listener, which relays every copy to a catch-all sink that counts them. The
daemon is killed with SIGKILL several times at random points while it delivers, then left to
finish.
"""
import collections
import json
import os
import random
import re
import shutil
import signal
import socket
import tempfile
import time
import unittest

from harness import main, run_cqlist
from list_env import CqlistServe, cqlist_toml
from loopback_dns import LoopbackDns, txt
from private_postfix import PrivatePostfix, free_tcp_port
from strict_sink import CatchAllSink

LIST_DOMAIN = "crash.cq-test.example"
LIST = f"big@{LIST_DOMAIN}"
MEMBER_COUNT = 2000
DELIVERY_WORKERS = 4  # cqlist serve's default [delivery] workers


class CrashRecoveryTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cqlist-crash-")
        if not os.environ.get("CQLIST_KEEP_TEST_DIR"):
            self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        os.chmod(self.dir, 0o755)
        self.dns = LoopbackDns({LIST_DOMAIN: [txt("v=spf1 -all")]},
                               zones=["cq-test.example"]).start()
        self.addCleanup(self.dns.stop)
        self.sink = CatchAllSink(os.path.join(self.dir, "sink")).start()
        self.addCleanup(self.sink.stop)
        self.postfix = PrivatePostfix(os.path.join(self.dir, "postfix"),
                                      relay=("127.0.0.1", self.sink.port),
                                      main_cf={"default_destination_concurrency_limit": "20"})
        self.addCleanup(self.postfix.stop)
        self.postfix.start()
        self.config = os.path.join(self.dir, "cqlist.toml")
        self.lmtp_port = free_tcp_port()
        with open(self.config, "w") as f:
            f.write(cqlist_toml(f"{self.dir}/cqlist", self.dns.address,
                                relay_port=self.postfix.reinject_port,
                                lmtp_port=self.lmtp_port, http_port=free_tcp_port()))
        self.members = [f"m{i:04d}@d{i % 7}.members.example" for i in range(MEMBER_COUNT)]
        self.cqlist("list", "create", LIST, "--set", "batch_size=100",
                    "--set", "non_member=reject")
        members_file = os.path.join(self.dir, "members.txt")
        with open(members_file, "w") as f:
            f.write("\n".join(self.members) + "\n")
        self.cqlist("members", "import", LIST, members_file)
        self.server = CqlistServe(self.config, os.path.join(self.dir, "serve.log"))
        self.addCleanup(self.server.stop)

    def cqlist(self, *args, check_exit=0, stdin=None):
        return run_cqlist(*args, "--config", self.config, check_exit=check_exit, stdin=stdin)

    def copies_per_member(self):
        counts = collections.Counter()
        for record in self.sink.records():
            for rcpt in record["rcpt_tos"]:
                counts[rcpt] += 1
        return counts

    def pending_jobs(self):
        _, out, _ = self.cqlist("queue", LIST, "--json")
        return json.loads(out)

    def test_kill_during_fan_out_then_restart_delivers_exactly_once(self):
        post = (f"From: {self.members[0]}\r\nTo: {LIST}\r\nSubject: crash test\r\n"
                "Message-ID: <crash-1@members.example>\r\n\r\nOne copy each, please.\r\n")
        self.cqlist("inject", LIST, "--mail-from", self.members[0], stdin=post.encode())
        rng = random.Random(int(os.environ.get("CQLIST_CRASH_SEED", "20261128")))
        kills = 0
        pending_after_kills = []
        for _ in range(4):
            self.server.start()
            time.sleep(rng.uniform(0.05, 0.6))
            self.server.kill()
            kills += 1
            pending_after_kills.append(len(self.pending_jobs()["jobs"]))
        total_jobs = MEMBER_COUNT // 100
        self.assertTrue(any(0 < n < total_jobs for n in pending_after_kills),
                        f"no kill landed inside the fan-out: jobs left {pending_after_kills}")
        self.server.start()
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            counts = self.copies_per_member()
            if len(counts) >= MEMBER_COUNT:
                break
            time.sleep(0.5)
        self.postfix.wait_until_queue_empty(timeout=120)
        time.sleep(1)
        counts = self.copies_per_member()
        missing = [m for m in self.members if counts[m] == 0]
        repeated = {m: n for m, n in counts.items() if n > 1}
        self.assertEqual(missing, [], f"{len(missing)} members got no copy after {kills} kills")
        self.assertEqual(sorted(counts), sorted(self.members))
        sent_jobs = re.findall(r"event=delivery\.sent .*? job=(\d+)", self.server.log_text())
        twice = [job for job, n in collections.Counter(sent_jobs).items() if n > 1]
        self.assertEqual(twice, [], "a batch cqlist knew the MTA had accepted was sent again")
        # A job whose 250 was journaled just before a kill has no "sent" line: the restart's
        # journal replay marks it done (and may count one that was logged as well).
        replayed = sum(int(n) for n in re.findall(r"event=delivery\.journal_replayed "
                                                   r"jobs_done=(\d+)", self.server.log_text()))
        self.assertLessEqual(len(sent_jobs), total_jobs)
        self.assertGreaterEqual(len(sent_jobs) + replayed, total_jobs,
                                f"{len(sent_jobs)} jobs logged as sent, {replayed} replayed")
        # Only the RFC 1047 window remains: per kill, at most the batch each delivery worker
        # (4, each on its own connection) had in flight; each copy at most twice.
        self.assertLessEqual(len(repeated), kills * DELIVERY_WORKERS * 100, repeated)
        self.assertTrue(all(n == 2 for n in repeated.values()), repeated)
        # ... and only ever whole batches (a job of 100), never single copies.
        self.assertEqual(len(repeated) % 100, 0, repeated)
        self.assertEqual(self.pending_jobs()["jobs"], [])

    def test_sigterm_lets_the_lmtp_transaction_in_progress_finish(self):
        self.server.start(wait_for_ports=[self.lmtp_port])
        lmtp = socket.create_connection(("127.0.0.1", self.lmtp_port), timeout=10)
        self.addCleanup(lmtp.close)
        replies = lmtp.makefile("rb")

        def say(line, code):
            lmtp.sendall(line.encode() + b"\r\n")
            while True:  # the last line of a reply has a space after its code
                reply = replies.readline().decode()
                self.assertTrue(reply.startswith(str(code)), f"{line!r} -> {reply!r}")
                if reply[3:4] != "-":
                    return reply

        self.assertTrue(replies.readline().startswith(b"220"))
        say("LHLO test.example", 250)
        say(f"MAIL FROM:<{self.members[0]}>", 250)
        say(f"RCPT TO:<{LIST}>", 250)
        self.server.process.send_signal(signal.SIGTERM)  # while Postfix would send the data
        time.sleep(0.5)
        self.assertIsNone(self.server.process.poll(), "stopped in the middle of a transaction")
        say("DATA", 354)
        say(f"From: {self.members[0]}\r\nTo: {LIST}\r\nSubject: shutting down\r\n"
            "Message-ID: <sigterm-1@members.example>\r\n\r\nStill taken.\r\n.", 250)
        self.assertTrue(replies.readline().startswith(b"421"), "then the session ends")
        self.assertEqual(self.server.process.wait(timeout=20), 0, self.server.log_text())
        self.assertIn("serve.stopping", self.server.log_text())
        self.assertNotIn("serve.stop_forced", self.server.log_text())
        # The post was taken for good: archived, and every member gets it once (what the
        # daemon did not send before it stopped goes out after the restart).
        article = os.path.join(self.dir, "cqlist", "archive", LIST, "00001.eml")
        with open(article, "rb") as f:
            self.assertIn(b"shutting down", f.read())
        self.server.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(self.copies_per_member()) < MEMBER_COUNT:
            time.sleep(0.5)
        self.postfix.wait_until_queue_empty(timeout=120)
        self.assertEqual(self.copies_per_member(), collections.Counter(self.members))


def without_postfix(test, prefix, **listeners):
    """A data directory, the loopback DNS and a sink as cqlist's relay, each removed or stopped
    when `test` ends; returns (directory, config file, sink)."""
    directory = tempfile.mkdtemp(prefix=prefix)
    test.addCleanup(shutil.rmtree, directory, ignore_errors=True)
    dns = LoopbackDns({LIST_DOMAIN: [txt("v=spf1 -all")]}, zones=["cq-test.example"]).start()
    test.addCleanup(dns.stop)
    sink = CatchAllSink(os.path.join(directory, "sink")).start()
    test.addCleanup(sink.stop)
    config = os.path.join(directory, "cqlist.toml")
    with open(config, "w") as f:
        f.write(cqlist_toml(f"{directory}/cqlist", dns.address, relay_port=sink.port,
                            **listeners))
    return directory, config, sink


class DeliverCommandTest(unittest.TestCase):
    """`cqlist deliver` sends what `cqlist inject` queued, without the daemon."""

    def test_deliver_sends_every_job_once_and_empties_the_queue(self):
        directory, config, sink = without_postfix(self, "cqlist-deliver-")
        members = [f"d{i:03d}@members.example" for i in range(250)]
        run_cqlist("list", "create", LIST, "--set", "batch_size=100", "--config", config,
                   check_exit=0)
        run_cqlist("members", "add", LIST, *members, "--config", config, check_exit=0)
        post = (f"From: {members[0]}\r\nTo: {LIST}\r\nSubject: by hand\r\n"
                "Message-ID: <deliver-1@members.example>\r\n\r\nHello.\r\n")
        run_cqlist("inject", LIST, "--config", config, stdin=post.encode(), check_exit=0)
        _, out, _ = run_cqlist("deliver", "--config", config, check_exit=0)
        self.assertIn("3 delivery jobs and outgoing messages handled", out)
        counts = collections.Counter(r for record in sink.records() for r in record["rcpt_tos"])
        self.assertEqual(sorted(counts), sorted(members))
        self.assertEqual(set(counts.values()), {1})
        _, out, _ = run_cqlist("queue", LIST, "--json", "--config", config, check_exit=0)
        self.assertEqual(json.loads(out)["jobs"], [])
        _, out, _ = run_cqlist("deliver", "--config", config, check_exit=0)
        self.assertIn("0 delivery jobs", out)


class SetAsideTest(unittest.TestCase):
    """A post that can never be processed leaves the spool's way instead of being retried every
    minute for ever; `cqlist queue` shows it and `--retry` sends it back."""

    def test_a_post_of_a_deleted_list_and_a_damaged_file_are_set_aside(self):
        lmtp_port = free_tcp_port()
        directory, config, sink = without_postfix(self, "cqlist-set-aside-", lmtp_port=lmtp_port,
                                                  http_port=free_tcp_port())

        def cqlist(*args, check_exit=0, stdin=None):
            return run_cqlist(*args, "--config", config, check_exit=check_exit, stdin=stdin)

        # The post is taken, but its processing fails (the list's key file is missing), so it
        # waits in the spool; then the list is deleted.
        cqlist("list", "create", LIST, "--set", f"dkim_key_rsa={directory}/missing.pem",
               "--set", "dkim_selector_rsa=s1")
        cqlist("members", "add", LIST, "m1@members.example", "m2@members.example")
        post = (f"From: m1@members.example\r\nTo: {LIST}\r\nSubject: left behind\r\n"
                "Message-ID: <set-aside-1@members.example>\r\n\r\nHello.\r\n")
        _, out, err = cqlist("inject", LIST, stdin=post.encode())
        self.assertIn("250", out)
        self.assertIn("post.process_failed", err)
        cqlist("list", "delete", LIST, "--yes")
        spool = os.path.join(directory, "cqlist", "spool")
        with open(os.path.join(spool, "post-0000000000000001-1-0"), "wb") as f:
            f.write(b"damaged\n")

        server = CqlistServe(config, os.path.join(directory, "serve.log"))
        self.addCleanup(server.stop)
        server.start(wait_for_ports=[lmtp_port])  # recovery runs before the listeners open
        server.stop()
        self.assertIn("no longer exists", server.log_text())
        _, out, _ = cqlist("queue", "--json")
        queue = json.loads(out)
        self.assertEqual(queue["spooled_posts"], 0, "nothing left for the minute timer to retry")
        reasons = {entry["id"]: entry["reason"] for entry in queue["set_aside"]}
        self.assertEqual(len(reasons), 2, queue)
        damaged = "failed-post-0000000000000001-1-0"
        self.assertIn("spool marker", reasons.pop(damaged))
        [(deleted, reason)] = reasons.items()
        self.assertIn(f"its list {LIST} no longer exists", reason)
        _, out, _ = cqlist("queue")
        self.assertIn("Set aside: 2 posts that cannot be processed", out)
        self.assertIn(deleted, out)
        self.assertEqual(sink.records(), [], "nothing was sent")

        _, _, err = cqlist("queue", "--retry", damaged, check_exit=65)
        self.assertIn("spool marker", err)
        _, out, _ = cqlist("queue", "--retry", deleted)
        self.assertIn("back in the spool", out)
        self.assertTrue(os.path.exists(os.path.join(spool, deleted[len("failed-"):])))
        _, out, _ = cqlist("queue", "--json")
        self.assertEqual([entry["id"] for entry in json.loads(out)["set_aside"]], [damaged])
        self.assertEqual(json.loads(out)["spooled_posts"], 1)


if __name__ == "__main__":
    main()

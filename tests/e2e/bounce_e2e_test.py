"""Bounces end to end: a VERP round trip through the real Postfix of the harness.

Topology (all 127.0.0.1, free ports):
  swaks (the poster's server) -> PrivatePostfix smtpd --transport--> cqlist serve (LMTP)
  cqlist serve --SMTP, XVERP--> PrivatePostfix reinject --relayhost--> StrictSink
  StrictSink refuses GONE at RCPT with 550 5.1.1, and refuses every copy of the list whose
  domain publishes no SPF and is not signed with 550-5.7.26 (Gmail's authentication text).
  PrivatePostfix bounces both to NAME-bounces+TOKEN+USER=DOMAIN@LISTDOMAIN -> cqlist's LMTP
  -> the bounce processor. The owners' domain goes to a CatchAllSink, where the owners'
  summary of sender-side bounces arrives.

Checks: the member whose mailbox does not exist gets a bounce score; the list whose own
authentication is broken leaves its members' scores at zero and its owner gets one summary;
a bounce with a forged token changes nothing.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from dkim_keys import cqlist_key
from harness import Env, main, run_cqlist
from loopback_dns import LoopbackDns, txt
from private_postfix import PrivatePostfix, free_tcp_port
from strict_sink import CatchAllSink, StrictSink

GOOD_DOMAIN = "list.cq-test.example"   # SPF, DKIM and DMARC in order
BAD_DOMAIN = "broken.cq-test.example"  # no SPF record, no DKIM key: receivers refuse it
GOOD = f"ham@{GOOD_DOMAIN}"
BAD = f"eggs@{BAD_DOMAIN}"
LIST_SERVER_IP = "192.0.2.25"
POSTER_SERVER_IP = "203.0.113.9"
POSTER_DOMAIN = "none.cq-test.example"
POSTER = f"alice@{POSTER_DOMAIN}"
OWNER_DOMAIN = "owners.cq-test.example"
OWNER = f"olga@{OWNER_DOMAIN}"
MEMBER_DOMAIN = "members.cq-test.example"
GONE = f"gone@{MEMBER_DOMAIN}"
STAYS = f"stays@{MEMBER_DOMAIN}"
DANA = f"dana@{MEMBER_DOMAIN}"
GONE_REPLY = (f"550 5.1.1 <{GONE}>: The email account that you tried to reach does not "
              "exist. Please try double-checking the recipient's email address")


def message(list_address, subject, message_id):
    return (f"From: Alice <{POSTER}>\r\nTo: {list_address}\r\nSubject: {subject}\r\n"
            "Date: Sat, 28 Nov 2026 10:00:00 +0900\r\n"
            f"Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n\r\nA line of list mail.\r\n").encode()


class BounceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-bounce-")
        if not os.environ.get("CQLIST_KEEP_TEST_DIR"):
            cls.addClassCleanup(shutil.rmtree, cls.dir, ignore_errors=True)
        os.chmod(cls.dir, 0o755)  # Postfix daemons run as postfix and must reach their dirs
        rsa_key, _, rsa_txt = cqlist_key(cls.dir, "rsa1", GOOD_DOMAIN, "rsa2048")
        records = {
            GOOD_DOMAIN: [txt(f"v=spf1 ip4:{LIST_SERVER_IP} -all")],
            f"rsa1._domainkey.{GOOD_DOMAIN}": [txt(*rsa_txt)],
            f"_dmarc.{GOOD_DOMAIN}": [txt("v=DMARC1; p=reject")],
            POSTER_DOMAIN: [txt(f"v=spf1 ip4:{POSTER_SERVER_IP} -all")],
            f"_dmarc.{POSTER_DOMAIN}": [txt("v=DMARC1; p=none")],
        }
        cls.dns = LoopbackDns(records, zones=["cq-test.example"]).start()
        cls.addClassCleanup(cls.dns.stop)
        cls.sink = StrictSink(os.path.join(cls.dir, "sink"), dns_port=cls.dns.port,
                              assume_client_ip=LIST_SERVER_IP, require_alignment=False,
                              reject_rcpts={GONE: GONE_REPLY}).start()
        cls.addClassCleanup(cls.sink.stop)
        cls.owners = CatchAllSink(os.path.join(cls.dir, "owners")).start()
        cls.addClassCleanup(cls.owners.stop)

        cls.lmtp_port = free_tcp_port()
        cls.http_port = free_tcp_port()
        lmtp = f"lmtp:inet:127.0.0.1:{cls.lmtp_port}"
        cls.postfix = PrivatePostfix(
            os.path.join(cls.dir, "postfix"), relay=("127.0.0.1", cls.sink.port),
            transports={GOOD_DOMAIN: lmtp, BAD_DOMAIN: lmtp,
                        OWNER_DOMAIN: f"smtp:[127.0.0.1]:{cls.owners.port}"},
            relay_domains=[GOOD_DOMAIN, BAD_DOMAIN])
        cls.addClassCleanup(cls.postfix.stop)
        cls.postfix.start()

        cls.data_dir = os.path.join(cls.dir, "cqlist")
        cls.config = os.path.join(cls.dir, "cqlist.toml")
        with open(cls.config, "w") as f:
            f.write(f'data_dir = "{cls.data_dir}"\nhostname = "lists.cq-test.example"\n'
                    f'[lmtp]\nlisten = "127.0.0.1:{cls.lmtp_port}"\n'
                    f'[http]\nlisten = "127.0.0.1:{cls.http_port}"\n'
                    f'[relay]\nport = {cls.postfix.reinject_port}\nstarttls = false\n'
                    f'[dns]\nresolver = "{cls.dns.address}"\n')
        cls.cqlist("list", "create", GOOD, "--owner", OWNER,
                   "--set", "dkim_selector_rsa=rsa1", "--set", f"dkim_key_rsa={rsa_key}")
        cls.cqlist("members", "add", GOOD, POSTER, GONE, STAYS)
        cls.cqlist("list", "create", BAD, "--owner", OWNER, "--set", "arc=false")
        cls.cqlist("members", "add", BAD, POSTER, DANA)
        cls.start_server()

    @classmethod
    def cqlist(cls, *args, check_exit=0):
        return run_cqlist(*args, "--config", cls.config, check_exit=check_exit)

    @classmethod
    def start_server(cls):
        cls.server_log = open(os.path.join(cls.dir, "serve.log"), "ab")
        cls.server = subprocess.Popen([Env.cqlist, "serve", "--config", cls.config],
                                      stdout=cls.server_log, stderr=cls.server_log)
        cls.addClassCleanup(cls.stop_server)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if cls.server.poll() is not None:
                raise AssertionError(f"cqlist serve exited {cls.server.returncode}:\n"
                                     + cls.log_text())
            try:
                socket.create_connection(("127.0.0.1", cls.lmtp_port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("cqlist serve did not listen:\n" + cls.log_text())

    @classmethod
    def stop_server(cls):
        if cls.server.poll() is None:
            cls.server.send_signal(signal.SIGTERM)
            try:
                cls.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                cls.server.kill()
                cls.server.wait()
        cls.server_log.close()

    @classmethod
    def log_text(cls):
        with open(os.path.join(cls.dir, "serve.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def swaks(self, data, mail_from, rcpt, client_ip=POSTER_SERVER_IP):
        path = os.path.join(self.dir, f"mail-{time.monotonic_ns()}.eml")
        with open(path, "wb") as f:
            f.write(data)
        helo = "mail.poster.example"
        proc = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(self.postfix.smtpd_port),
             "--helo", helo, "--xclient-helo", helo, "--xclient-addr", client_ip,
             "--xclient-name", "[UNAVAILABLE]", "--from", mail_from, "--to", rcpt,
             "--data", f"@{path}"], capture_output=True, timeout=60)
        output = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
        self.assertEqual(proc.returncode, 0, f"swaks failed:\n{output}")

    def wait_for_log(self, pattern, count=1, timeout=60):
        """Waits until `count` log lines of cqlist serve match; returns the matches."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.findall(pattern, self.log_text())
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise AssertionError(f"fewer than {count} log lines match {pattern!r}:\n"
                             f"{self.log_text()}\nPostfix:\n{self.postfix.log()}")

    def show(self, member, list_address):
        return self.cqlist("bounces", "show", member, "--list", list_address)[1]

    def score(self, member, list_address):
        found = re.search(r"score:\s+(\d+\.\d)", self.show(member, list_address))
        self.assertIsNotNone(found, self.show(member, list_address))
        return float(found.group(1))

    def groups(self, list_address):
        _, out, _ = self.cqlist("bounces", "--list", list_address, "--json")
        data = json.loads(out)
        self.assertEqual([entry["list"] for entry in data["lists"]], [list_address])
        return data["lists"][0]["groups"]

    def test_a_mailbox_that_does_not_exist_scores_against_its_member(self):
        self.swaks(message(GOOD, "antenna tuning", "b1@none"), POSTER, GOOD)
        self.wait_for_log(rf"event=bounce\.processed list={re.escape(GOOD)} member={GONE}")
        self.assertGreater(self.score(GONE, GOOD), 0)
        self.assertEqual(self.score(STAYS, GOOD), 0)  # delivered: nothing against her
        shown = self.show(GONE, GOOD)
        self.assertIn("5.1.1", shown)
        self.assertIn("recipient", shown)
        group, = [g for g in self.groups(GOOD) if GONE in [m["address"] for m in g["members"]]]
        self.assertEqual(group["side"], "recipient")
        self.assertEqual(group["reason"], "userunknown")
        member, = group["members"]
        self.assertGreater(member["score"], 0)
        # The bounce came back through Postfix with the XVERP envelope cqlist sent.
        self.assertRegex(self.postfix.log(),
                         rf"to=<ham-bounces\+a\d+\.[a-z2-7]+\+gone={re.escape(MEMBER_DOMAIN)}"
                         rf"@{re.escape(GOOD_DOMAIN)}>")

    def test_the_lists_own_authentication_failure_alerts_the_owner_not_the_members(self):
        self.swaks(message(BAD, "broken setup", "b2@none"), POSTER, BAD)
        self.wait_for_log(rf"event=bounce\.processed list={re.escape(BAD)} member={DANA}")
        self.assertEqual(self.score(DANA, BAD), 0)
        self.assertIn("5.7.26", self.show(DANA, BAD))
        senders = [g for g in self.groups(BAD) if g["side"] == "sender"]
        self.assertTrue(senders, self.groups(BAD))
        self.assertIn("cqlist doctor", senders[0]["advice"])
        for group in senders:
            self.assertTrue(all(m["score"] == 0 for m in group["members"]), group)
        alerts = self.owners.wait_for_records(
            1, timeout=60, where=lambda r: r["rcpt_tos"] == [OWNER]
            and "refused the list's mail" in (r.get("subject") or ""))
        self.assertEqual(len(alerts), 1)
        self.assertTrue(alerts[0]["subject"].startswith(BAD), alerts[0]["subject"])
        # Further sender-side bounces wait for the next period: still one summary.
        self.swaks(message(BAD, "still broken", "b3@none"), POSTER, BAD)
        self.wait_for_log(rf"event=bounce\.processed list={re.escape(BAD)} member={DANA}",
                          count=2)
        self.postfix.wait_until_queue_empty()
        time.sleep(2)
        alerts = [r for r in self.owners.records() if r["rcpt_tos"] == [OWNER]
                  and "refused the list's mail" in (r.get("subject") or "")]
        self.assertEqual(len(alerts), 1)

    def test_a_forged_bounce_changes_nothing(self):
        before = self.show(STAYS, GOOD)
        for local in ["ham-bounces+aaaaaaaaaaaaaaaa+stays=members.cq-test.example",
                      "ham-bounces+a1.aaaaaaaaaaaaaaaa+stays=members.cq-test.example"]:
            forged = (f"From: MAILER-DAEMON@mx.example.net\r\nTo: {local}@{GOOD_DOMAIN}\r\n"
                      "Subject: Undelivered Mail Returned to Sender\r\n"
                      "MIME-Version: 1.0\r\nContent-Type: multipart/report; "
                      "report-type=delivery-status; boundary=b\r\n\r\n--b\r\n"
                      "Content-Type: text/plain\r\n\r\nfailed\r\n--b\r\n"
                      "Content-Type: message/delivery-status\r\n\r\n"
                      "Reporting-MTA: dns; mx.example.net\r\n\r\n"
                      f"Final-Recipient: rfc822; {STAYS}\r\nAction: failed\r\n"
                      "Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 no such user\r\n"
                      "--b--\r\n").encode()
            self.swaks(forged, "postmaster@mx.example.net", f"{local}@{GOOD_DOMAIN}")
        self.wait_for_log(r"event=bounce\.unauthenticated list=ham@", count=2)
        self.assertEqual(self.show(STAYS, GOOD), before)
        self.assertEqual(self.score(STAYS, GOOD), 0)
        self.assertIn("history (0 bounces)", self.show(STAYS, GOOD))


if __name__ == "__main__":
    main()

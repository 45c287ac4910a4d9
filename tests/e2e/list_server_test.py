"""The list server end to end: Postfix -> LMTP -> cqlist serve -> SMTP -> Postfix -> a strict
receiving sink that checks SPF/DKIM/DMARC/ARC independently (pyspf, dkimpy).

Topology (all 127.0.0.1, free ports):
  swaks (XCLIENT: the poster's server) -> PrivatePostfix smtpd
  PrivatePostfix --transport LIST_DOMAIN--> cqlist serve (LMTP, XFORWARD)
  cqlist serve --SMTP, XVERP--> PrivatePostfix reinject listener --relayhost--> StrictSink
  LoopbackDns (unbound) serves the list domain's SPF/DKIM/DMARC and the posters' domains.
The sink plays the Internet address LIST_SERVER_IP, which the list domain's SPF authorises.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from dkim_keys import cqlist_key
from harness import Env, main, run_cqlist
from loopback_dns import LoopbackDns, txt
from private_postfix import PrivatePostfix, free_tcp_port
from strict_sink import StrictSink

LIST_DOMAIN = "list.cq-test.example"
LIST = f"ham@{LIST_DOMAIN}"
LIST_SERVER_IP = "192.0.2.25"
POSTER_SERVER_IP = "203.0.113.9"
FORGER_SERVER_IP = "198.51.100.7"
NONE_DOMAIN = "none.cq-test.example"      # p=none
REJECT_DOMAIN = "reject.cq-test.example"  # p=reject
OWNER = "owner@third.cq-test.example"
MEMBERS = [f"alice@{NONE_DOMAIN}", f"bob@{REJECT_DOMAIN}", "carol@third.cq-test.example"]
RECIPIENTS = MEMBERS + [OWNER]  # the owner is a member too


def message(sender, subject, message_id, body="A line of list mail.\r\n",
            content_type="text/plain; charset=us-ascii", extra=""):
    return (f"From: {sender}\r\nTo: {LIST}\r\nSubject: {subject}\r\n"
            "Date: Sat, 28 Nov 2026 10:00:00 +0900\r\n"
            f"Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n{extra}"
            f"Content-Type: {content_type}\r\n\r\n").encode() + (
                body if isinstance(body, bytes) else body.encode())


def header(copy, name):
    head = copy.split(b"\r\n\r\n", 1)[0].decode("utf-8", errors="replace")
    unfolded = re.sub(r"\r\n[ \t]+", " ", head)
    return [line.split(":", 1)[1].strip() for line in unfolded.split("\r\n")
            if line.lower().startswith(name.lower() + ":")]


class ListServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-list-server-")
        if not os.environ.get("CQLIST_KEEP_TEST_DIR"):
            cls.addClassCleanup(shutil.rmtree, cls.dir, ignore_errors=True)
        os.chmod(cls.dir, 0o755)  # Postfix daemons run as postfix and must reach their dirs
        rsa_key, _, rsa_txt = cqlist_key(cls.dir, "rsa1", LIST_DOMAIN, "rsa2048")
        ed_key, _, ed_txt = cqlist_key(cls.dir, "ed1", LIST_DOMAIN, "ed25519")
        records = {
            LIST_DOMAIN: [txt(f"v=spf1 ip4:{LIST_SERVER_IP} -all")],
            f"rsa1._domainkey.{LIST_DOMAIN}": [txt(*rsa_txt)],
            f"ed1._domainkey.{LIST_DOMAIN}": [txt(*ed_txt)],
            f"_dmarc.{LIST_DOMAIN}": [txt("v=DMARC1; p=reject")],
            NONE_DOMAIN: [txt(f"v=spf1 ip4:{POSTER_SERVER_IP} -all")],
            f"_dmarc.{NONE_DOMAIN}": [txt("v=DMARC1; p=none")],
            REJECT_DOMAIN: [txt(f"v=spf1 ip4:{POSTER_SERVER_IP} -all")],
            f"_dmarc.{REJECT_DOMAIN}": [txt("v=DMARC1; p=reject")],
        }
        cls.dns = LoopbackDns(records, zones=["cq-test.example"]).start()
        cls.addClassCleanup(cls.dns.stop)
        # Gmail's rule for ordinary senders: refuse a DMARC failure under p=quarantine/reject,
        # or mail that passes neither SPF nor DKIM for any domain.
        cls.sink = StrictSink(os.path.join(cls.dir, "sink"), dns_port=cls.dns.port,
                              assume_client_ip=LIST_SERVER_IP, require_alignment=False).start()
        cls.addClassCleanup(cls.sink.stop)

        cls.lmtp_port = free_tcp_port()
        cls.http_port = free_tcp_port()
        cls.postfix = PrivatePostfix(
            os.path.join(cls.dir, "postfix"), relay=("127.0.0.1", cls.sink.port),
            transports={LIST_DOMAIN: f"lmtp:inet:127.0.0.1:{cls.lmtp_port}"},
            relay_domains=[LIST_DOMAIN])
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
        cls.cqlist("list", "create", LIST, "--owner", OWNER,
                   "--set", "dkim_selector_rsa=rsa1", "--set", f"dkim_key_rsa={rsa_key}",
                   "--set", "dkim_selector_ed25519=ed1", "--set", f"dkim_key_ed25519={ed_key}",
                   "--set", "footer=-- ham list: https://lists.cq-test.example/ham/",
                   "--set", "description=Ham radio talk")
        cls.cqlist("members", "add", LIST, *MEMBERS)
        cls.start_server()

    @classmethod
    def cqlist(cls, *args, check_exit=0, stdin=None):
        return run_cqlist(*args, "--config", cls.config, check_exit=check_exit, stdin=stdin)

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

    def post(self, data, mail_from, client_ip=POSTER_SERVER_IP, helo="mail.poster.example"):
        path = os.path.join(self.dir, f"post-{time.monotonic_ns()}.eml")
        with open(path, "wb") as f:
            f.write(data)
        proc = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(self.postfix.smtpd_port),
             "--helo", helo, "--xclient-helo", helo, "--xclient-addr", client_ip,
             "--xclient-name", "[UNAVAILABLE]", "--from", mail_from, "--to", LIST,
             "--data", f"@{path}"], capture_output=True, timeout=60)
        output = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
        self.assertEqual(proc.returncode, 0, f"swaks failed:\n{output}")

    def copies(self, subject_part, count, timeout=60):
        """Waits for `count` accepted copies whose Subject contains subject_part."""
        records = self.sink.wait_for_records(
            count, timeout=timeout,
            where=lambda r: subject_part in (r.get("subject") or ""))
        return records

    def assert_signed_list_copy(self, record):
        self.assertEqual(record["decision"], "accepted", record["reply"])
        auth = record["auth"]
        self.assertEqual(auth["spf"]["result"], "pass", auth)
        self.assertEqual(auth["spf"]["domain"], LIST_DOMAIN)
        dkim = {(s["d"], s["a"]): s["result"] for s in auth["dkim"]}
        self.assertEqual(dkim.get((LIST_DOMAIN, "rsa-sha256")), "pass", auth["dkim"])
        self.assertEqual(dkim.get((LIST_DOMAIN, "ed25519-sha256")), "pass", auth["dkim"])
        self.assertTrue(record["mail_from"].startswith("ham-bounces+"), record["mail_from"])
        self.assertTrue(record["mail_from"].endswith("@" + LIST_DOMAIN), record["mail_from"])

    def test_member_post_reaches_every_member_once_signed_and_tagged(self):
        self.post(message(f"Alice <alice@{NONE_DOMAIN}>", "first QSO report", "p1@none"),
                  f"alice@{NONE_DOMAIN}")
        records = self.copies("first QSO report", len(RECIPIENTS))
        self.assertEqual(sorted(r["rcpt_tos"][0] for r in records), sorted(RECIPIENTS))
        for record in records:
            self.assert_signed_list_copy(record)
            self.assertEqual(record["auth"]["arc"]["result"], "pass", record["auth"])
            copy, = [c for c in self.sink.messages_for(record["rcpt_tos"][0])
                     if b"first QSO report" in c]
            self.assertRegex(header(copy, "Subject")[0], r"^\[ham:\d{5}\] first QSO report$")
            self.assertEqual(header(copy, "List-Id"), ['"Ham radio talk" <ham.list.cq-test.example>'])
            self.assertIn(f"<mailto:ham@{LIST_DOMAIN}>", header(copy, "List-Post"))
            self.assertTrue(header(copy, "List-Unsubscribe"))
            self.assertEqual(header(copy, "Precedence"), ["list"])
            self.assertIn(b"-- ham list: https://lists.cq-test.example/ham/", copy)
            # A p=none poster keeps her From.
            self.assertEqual(header(copy, "From"), [f"Alice <alice@{NONE_DOMAIN}>"])
        time.sleep(1)  # no second copy arrives late
        again = [r for r in self.sink.records() if "first QSO report" in (r.get("subject") or "")]
        self.assertEqual(len(again), len(RECIPIENTS))

    def test_post_from_reject_domain_gets_list_from_and_passes_dmarc(self):
        self.post(message(f"Bob <bob@{REJECT_DOMAIN}>", "antenna question", "p2@reject"),
                  f"bob@{REJECT_DOMAIN}")
        records = self.copies("antenna question", len(RECIPIENTS))
        for record in records:
            self.assert_signed_list_copy(record)
            self.assertEqual(record["auth"]["dmarc"]["result"], "pass", record["auth"])
            self.assertEqual(record["auth"]["dmarc"]["from_domain"], LIST_DOMAIN)
        copy = self.sink.messages_for(MEMBERS[0])
        copy = [c for c in copy if b"antenna question" in c][0]
        self.assertEqual(header(copy, "From"), [f"Bob via ham <{LIST}>"])
        self.assertIn(f"bob@{REJECT_DOMAIN}", header(copy, "Reply-To")[0])
        self.assertEqual(header(copy, "X-Original-From"), [f"Bob <bob@{REJECT_DOMAIN}>"])

    def test_forged_member_post_is_held_not_distributed(self):
        self.post(message(f"Bob <bob@{REJECT_DOMAIN}>", "send me your password", "p3@forged"),
                  f"bob@{REJECT_DOMAIN}", client_ip=FORGER_SERVER_IP)
        self.postfix.wait_until_queue_empty()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            _, out, _ = self.cqlist("held", "list", LIST)
            if "send me your password" in out:
                break
            time.sleep(0.2)
        self.assertIn("send me your password", out)
        self.assertIn("DMARC", out)
        time.sleep(1)
        self.assertFalse([r for r in self.sink.records()
                          if "send me your password" in (r.get("subject") or "")
                          and "[ham:" in r.get("subject", "")])

    def test_japanese_post_keeps_its_encoding_with_the_tag_outside(self):
        subject = "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?="  # こんにちは
        body = b"\x1b$B$3$s$K$A$O\x1b(B\r\n"
        self.post(message(f"Alice <alice@{NONE_DOMAIN}>", subject, "p4@none", body=body,
                          content_type="text/plain; charset=ISO-2022-JP",
                          extra="Content-Transfer-Encoding: 7bit\r\n"),
                  f"alice@{NONE_DOMAIN}")
        deadline = time.monotonic() + 60
        copy = None
        while time.monotonic() < deadline and copy is None:
            for c in self.sink.messages_for(MEMBERS[2]):
                if b"GyRCJDMkcyRLJEEkTxsoQg" in c:
                    copy = c
            time.sleep(0.1)
        self.assertIsNotNone(copy, "the Japanese post did not arrive")
        self.assertRegex(header(copy, "Subject")[0],
                         r"^\[ham:\d{5}\] =\?ISO-2022-JP\?B\?GyRCJDMkcyRLJEEkTxsoQg==\?=$")
        self.assertIn(body, copy)

    def test_health_and_metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/health", timeout=5) as r:
            self.assertEqual(r.read(), b"ok\n")
        self.post(message(f"Alice <alice@{NONE_DOMAIN}>", "counted", "p6@none"),
                  f"alice@{NONE_DOMAIN}")
        self.copies("counted", len(RECIPIENTS))
        self.assertGreaterEqual(self.metric("cqlist_lmtp_messages_total"), 1)
        self.assertGreaterEqual(self.metric("cqlist_lmtp_recipients_accepted_total"), 1)

    def metric(self, name):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5) as r:
            text = r.read().decode()
        self.assertIn(f"# TYPE {name} counter", text)
        return int(re.search(rf"^{name} (\d+)$", text, re.M).group(1))

    def test_one_click_unsubscribe_from_a_personalised_copy(self):
        carol = MEMBERS[2]
        self.cqlist("list", "set", LIST, "personalize=true",
                    "web_url=https://lists.cq-test.example/ham/")
        self.addCleanup(self.cqlist, "members", "add", LIST, carol)
        self.addCleanup(self.cqlist, "list", "set", LIST, "personalize=false", "--unset",
                        "web_url")
        self.post(message(f"Alice <alice@{NONE_DOMAIN}>", "personal copies", "p5@none"),
                  f"alice@{NONE_DOMAIN}")
        for record in self.copies("personal copies", len(RECIPIENTS)):
            self.assert_signed_list_copy(record)  # List-Unsubscribe(-Post) are signed too
        copy, = [c for c in self.sink.messages_for(carol) if b"personal copies" in c]
        self.assertEqual(header(copy, "List-Unsubscribe-Post"), ["List-Unsubscribe=One-Click"])
        link = re.search(r"<(https://lists\.cq-test\.example/ham/unsubscribe\?[^>]+)>",
                         header(copy, "List-Unsubscribe")[0]).group(1)
        self.assertIn("member=carol%40third.cq-test.example", link)
        # The operator's TLS proxy maps the web URL onto cqlist's HTTP listener.
        local = link.replace("https://lists.cq-test.example",
                             f"http://127.0.0.1:{self.http_port}")
        with urllib.request.urlopen(local, timeout=5) as r:  # GET only shows a button
            self.assertIn(b"<form method=post>", r.read())
        self.assertIn(carol, self.cqlist("members", "list", LIST)[1])
        forged = re.sub(r"token=[a-z2-7]+", "token=aaaaaaaaaaaaaaaa", local)
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, data=b"List-Unsubscribe=One-Click", timeout=5)
        self.assertEqual(refused.exception.code, 400)
        with urllib.request.urlopen(local, data=b"List-Unsubscribe=One-Click", timeout=5) as r:
            self.assertEqual(r.status, 200)
        self.assertNotIn(carol, self.cqlist("members", "list", LIST)[1])
        self.assertGreaterEqual(self.metric("cqlist_unsubscribes_total"), 1)


if __name__ == "__main__":
    main()

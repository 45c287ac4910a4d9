"""The policy service end to end: a non-member's post to a list with non_member=reject is
refused by Postfix at RCPT time, on cqlist's word, so Postfix never queues it and no bounce
(backscatter) goes to the possibly forged sender; members, bounces and the list's other
addresses pass.

Topology (all 127.0.0.1, free ports), as list_server_test.py, plus Postfix's
smtpd_recipient_restrictions exactly as `cqlist postfix-config` prints them:
  smtplib (XCLIENT: the poster's server) -> PrivatePostfix smtpd
      -- check_policy_service --> cqlist serve (policy service)
  PrivatePostfix --transport LIST_DOMAIN--> cqlist serve (LMTP)
  cqlist serve --SMTP--> PrivatePostfix reinject listener --relayhost--> StrictSink
The sink also stands for every poster's mailbox, so a bounce Postfix sent would land there.
"""
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time
import unittest
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
MEMBER_DOMAIN = "none.cq-test.example"  # p=none
MEMBER = f"alice@{MEMBER_DOMAIN}"
OWNER = "owner@third.cq-test.example"
FORGED = "victim@forged.cq-test.example"  # a third party whose address a spammer uses


def message(sender, subject, message_id):
    return (f"From: {sender}\r\nTo: {LIST}\r\nSubject: {subject}\r\n"
            "Date: Sat, 28 Nov 2026 10:00:00 +0900\r\n"
            f"Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n\r\nA line of list mail.\r\n").encode()


class PolicyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-policy-")
        if not os.environ.get("CQLIST_KEEP_TEST_DIR"):
            cls.addClassCleanup(shutil.rmtree, cls.dir, ignore_errors=True)
        os.chmod(cls.dir, 0o755)  # Postfix daemons run as postfix and must reach their dirs
        rsa_key, _, rsa_txt = cqlist_key(cls.dir, "rsa1", LIST_DOMAIN, "rsa2048")
        records = {
            LIST_DOMAIN: [txt(f"v=spf1 ip4:{LIST_SERVER_IP} -all")],
            f"rsa1._domainkey.{LIST_DOMAIN}": [txt(*rsa_txt)],
            f"_dmarc.{LIST_DOMAIN}": [txt("v=DMARC1; p=reject")],
            MEMBER_DOMAIN: [txt(f"v=spf1 ip4:{POSTER_SERVER_IP} -all")],
            f"_dmarc.{MEMBER_DOMAIN}": [txt("v=DMARC1; p=none")],
            # Postfix's own bounces (MAIL FROM:<>) pass SPF by its HELO name at the sink.
            "mta.cq-test.example": [txt(f"v=spf1 ip4:{LIST_SERVER_IP} -all")],
        }
        cls.dns = LoopbackDns(records, zones=["cq-test.example"]).start()
        cls.addClassCleanup(cls.dns.stop)
        cls.sink = StrictSink(os.path.join(cls.dir, "sink"), dns_port=cls.dns.port,
                              assume_client_ip=LIST_SERVER_IP, require_alignment=False).start()
        cls.addClassCleanup(cls.sink.stop)

        cls.lmtp_port = free_tcp_port()
        cls.http_port = free_tcp_port()
        cls.policy_port = free_tcp_port()
        cls.data_dir = os.path.join(cls.dir, "cqlist")
        cls.config = os.path.join(cls.dir, "cqlist.toml")
        with open(cls.config, "w") as f:
            f.write(f'data_dir = "{cls.data_dir}"\nhostname = "lists.cq-test.example"\n'
                    f'[lmtp]\nlisten = "127.0.0.1:{cls.lmtp_port}"\n'
                    f'[http]\nlisten = "127.0.0.1:{cls.http_port}"\n'
                    f'[policy]\nlisten = "127.0.0.1:{cls.policy_port}"\n'
                    f'[dns]\nresolver = "{cls.dns.address}"\n')
        # Postfix gets the restriction lines `cqlist postfix-config` prints for this file.
        _, out, _ = run_cqlist("postfix-config", LIST, "--config", cls.config, check_exit=0)
        restrictions = {}
        for name in ("smtpd_recipient_restrictions", "smtpd_policy_service_default_action"):
            restrictions[name] = re.search(rf"(?m)^{name} = (.*)$", out).group(1)
        cls.postfix = PrivatePostfix(
            os.path.join(cls.dir, "postfix"), relay=("127.0.0.1", cls.sink.port),
            transports={LIST_DOMAIN: f"lmtp:inet:127.0.0.1:{cls.lmtp_port}"},
            relay_domains=[LIST_DOMAIN], main_cf=restrictions)
        cls.addClassCleanup(cls.postfix.stop)
        with open(cls.config, "a") as f:
            f.write(f"[relay]\nport = {cls.postfix.reinject_port}\nstarttls = false\n")
        cls.postfix.start()

        cls.cqlist("list", "create", LIST, "--owner", OWNER, "--set", "non_member=reject",
                   "--set", "dkim_selector_rsa=rsa1", "--set", f"dkim_key_rsa={rsa_key}")
        cls.cqlist("members", "add", LIST, MEMBER)
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
                socket.create_connection(("127.0.0.1", cls.policy_port), timeout=0.2).close()
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

    def session(self):
        """An SMTP session to Postfix that looks like it comes from the poster's server."""
        client = smtplib.SMTP("127.0.0.1", self.postfix.smtpd_port, timeout=30)
        self.addCleanup(client.close)
        client.ehlo("client.poster.test")
        code, text = client.docmd("XCLIENT", f"ADDR={POSTER_SERVER_IP} NAME=[UNAVAILABLE] "
                                             "HELO=mail.poster.example")
        self.assertEqual(code, 220, text)
        client.ehlo("mail.poster.example")
        return client

    def metric(self, name):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5) as r:
            text = r.read().decode()
        return int(re.search(rf"^{name} (\d+)$", text, re.M).group(1))

    def assert_never_queued_from(self, sender):
        """Postfix's queue manager logs "from=<SENDER>, size=..." for every queued message."""
        self.assertNotIn(f"from=<{sender}>, size=", self.postfix.log())
        self.assertFalse([m for m in self.postfix.queue() if m["sender"] == sender])

    def assert_nothing_reached_the_sink(self, subject, address):
        self.assertFalse([r for r in self.sink.records()
                          if subject in (r.get("subject") or "") or address in r["rcpt_tos"]],
                         self.sink.records())

    def test_non_member_is_refused_at_rcpt_and_nothing_bounces(self):
        refused_before = self.metric("cqlist_policy_refusals_total")
        client = self.session()
        self.assertEqual(client.mail(FORGED)[0], 250)
        code, text = client.rcpt(LIST)
        text = text.decode()
        self.assertEqual(code, 550, text)
        self.assertIn(f"<{LIST}>: Recipient address rejected: only members of {LIST} may post",
                      text.replace("\n", " "))
        self.assertIn(f"send \"subscribe\" to ham-request@{LIST_DOMAIN}", text.replace("\n", " "))
        code, _ = client.docmd("DATA")
        self.assertEqual(code, 554)  # no valid recipients: the message is never sent
        client.quit()
        self.assertEqual(self.metric("cqlist_policy_refusals_total"), refused_before + 1)
        self.assertIn("event=policy.refused", self.log_text())
        # Refused before queueing: nothing queued, delivered, or bounced to the forged sender.
        time.sleep(2)
        log = self.postfix.log()
        self.assertRegex(log, rf"NOQUEUE: reject: RCPT from \S+: 550 5\.7\.1 <{re.escape(LIST)}>"
                              rf".*from=<{re.escape(FORGED)}>")
        self.assert_never_queued_from(FORGED)
        self.assertNotRegex(log, rf"to=<{re.escape(FORGED)}>")
        self.assert_nothing_reached_the_sink("never sent", FORGED)

    def test_a_whole_smtp_post_from_a_non_member_is_not_queued(self):
        path = os.path.join(self.dir, "spam.eml")
        with open(path, "wb") as f:
            f.write(message(f"Spammer <{FORGED}>", "cheap pills", "spam.1@forged"))
        proc = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(self.postfix.smtpd_port),
             "--xclient-addr", POSTER_SERVER_IP, "--xclient-helo", "mail.poster.example",
             "--from", FORGED, "--to", LIST, "--data", f"@{path}"],
            capture_output=True, timeout=60)
        output = proc.stdout.decode(errors="replace")
        self.assertNotEqual(proc.returncode, 0, output)  # swaks: the recipient was refused
        self.assertRegex(output, r"<\*\* 550 5\.7\.1 .*only members of ")
        time.sleep(2)
        self.assert_never_queued_from(FORGED)
        self.assertNotIn("spam.1@forged", self.postfix.log())  # cleanup never saw it
        self.assert_nothing_reached_the_sink("cheap pills", FORGED)

    def test_member_post_still_reaches_the_members(self):
        client = self.session()
        self.assertEqual(client.mail(MEMBER)[0], 250)
        self.assertEqual(client.rcpt(LIST)[0], 250)
        code, text = client.data(message(f"Alice <{MEMBER}>", "member post passes", "m.1@none"))
        self.assertEqual(code, 250, text)
        client.quit()
        records = self.sink.wait_for_records(
            2, timeout=60, where=lambda r: "member post passes" in (r.get("subject") or ""))
        self.assertEqual(sorted(r["rcpt_tos"][0] for r in records), sorted([MEMBER, OWNER]))
        for record in records:
            self.assertEqual(record["decision"], "accepted", record)
            self.assertRegex(record["subject"], r"^\[ham:\d{5}\] member post passes$")

    def test_bounces_and_the_lists_other_addresses_are_not_refused(self):
        client = self.session()
        # A bounce (null sender) to the posting address: the policy has no objection.
        self.assertEqual(client.mail("")[0], 250)
        code, text = client.rcpt(LIST)
        self.assertEqual(code, 250, text)
        client.rset()
        # A non-member must still reach -request (to subscribe) and -owner.
        self.assertEqual(client.mail(FORGED)[0], 250)
        for address in (f"ham-request@{LIST_DOMAIN}", f"ham-owner@{LIST_DOMAIN}"):
            code, text = client.rcpt(address)
            self.assertEqual(code, 250, (address, text))
        client.rset()
        client.quit()

    def test_member_envelope_with_a_non_member_from_is_refused_after_the_data(self):
        """The second line: the policy sees only the envelope. The LMTP checks refuse the
        post by its From, and Postfix's bounce goes to the envelope sender, a member, not to a
        forged third party."""
        client = self.session()
        self.assertEqual(client.mail(MEMBER)[0], 250)
        self.assertEqual(client.rcpt(LIST)[0], 250)
        code, text = client.data(message(f"Someone <{FORGED}>", "from a stranger", "s.1@none"))
        self.assertEqual(code, 250, text)  # Postfix queued it before asking cqlist
        client.quit()
        bounce, = self.sink.wait_for_records(
            1, timeout=60, where=lambda r: r["rcpt_tos"] == [MEMBER] and r["mail_from"] == "")
        self.assertEqual(bounce["decision"], "accepted", bounce)
        self.postfix.wait_until_queue_empty()
        self.assertIn("only members of", self.postfix.log())
        self.assertFalse([r for r in self.sink.records() if FORGED in r["rcpt_tos"]])
        self.assertFalse([r for r in self.sink.records()
                          if "from a stranger" in (r.get("subject") or "")])


if __name__ == "__main__":
    main()

"""The delivery path cqlist's list server will use, proven without cqlist: a private
Postfix on loopback relaying to a strict receiving sink that checks SPF/DKIM/DMARC against
a loopback unbound, bouncing what the sink refuses, and speaking LMTP with XFORWARD.

Topology (all 127.0.0.1, free ports):
  swaks / smtplib -> PrivatePostfix smtpd (XCLIENT allowed) or its reinject port (XVERP)
  PrivatePostfix --relayhost--> StrictSink (plays the Internet address 192.0.2.25)
                 --transport senders.cq-test.example--> CatchAllSink (gets the bounces)
                 --transport lists.example--> LmtpCatcher (stands in for cqlist's LMTP)
  LoopbackDns serves SPF, DKIM and DMARC records for the domains involved.
"""
import os
import shutil
import smtplib
import subprocess
import tempfile
import unittest

from harness import main
from loopback_dns import LoopbackDns, txt
from private_postfix import PrivatePostfix, system_master_pid
from strict_sink import (CatchAllSink, LmtpCatcher, PublicSuffixes, StrictSink, dkim_sign,
                         make_dkim_key, rejection)

LIST_DOMAIN = "list.cq-test.example"
SENDER_DOMAIN = "senders.cq-test.example"
SPOOFED_DOMAIN = "spoofed.example"
LMTP_DOMAIN = "lists.example"
SELECTOR = "sel1"
LIST_SERVER_IP = "192.0.2.25"


def message(sender, to, subject, message_id, body="A line of list mail.\r\n"):
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            "Date: Sat, 28 Nov 2026 10:00:00 +0900\r\n"
            f"Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n" + body).encode()


class PostfixSinkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-postfix-sink-")
        cls.addClassCleanup(shutil.rmtree, cls.dir, ignore_errors=True)
        os.chmod(cls.dir, 0o755)  # Postfix daemons run as postfix and must reach their dirs
        cls.key_path, key_strings = make_dkim_key(cls.dir)
        records = {
            LIST_DOMAIN: [txt(f"v=spf1 ip4:{LIST_SERVER_IP} -all")],
            f"{SELECTOR}._domainkey.{LIST_DOMAIN}": [txt(*key_strings)],
            f"_dmarc.{LIST_DOMAIN}": [txt("v=DMARC1; p=reject")],
            # The envelope domain of scenario (b) authorizes the sending server, but it is
            # not aligned with the From domain.
            SENDER_DOMAIN: [txt(f"v=spf1 ip4:{LIST_SERVER_IP} -all")],
            SPOOFED_DOMAIN: [txt("v=spf1 ip4:203.0.113.9 -all")],
            f"_dmarc.{SPOOFED_DOMAIN}": [txt("v=DMARC1; p=reject")],
        }
        cls.dns = LoopbackDns(records, zones=["cq-test.example", SPOOFED_DOMAIN]).start()
        cls.addClassCleanup(cls.dns.stop)
        cls.sink = StrictSink(os.path.join(cls.dir, "sink"), dns_port=cls.dns.port,
                              assume_client_ip=LIST_SERVER_IP).start()
        cls.addClassCleanup(cls.sink.stop)
        cls.bounces = CatchAllSink(os.path.join(cls.dir, "bounces")).start()
        cls.addClassCleanup(cls.bounces.stop)
        cls.lmtp = LmtpCatcher(os.path.join(cls.dir, "lmtp")).start()
        cls.addClassCleanup(cls.lmtp.stop)
        cls.postfix = PrivatePostfix(
            os.path.join(cls.dir, "postfix"), relay=("127.0.0.1", cls.sink.port),
            transports={SENDER_DOMAIN: f"smtp:[127.0.0.1]:{cls.bounces.port}",
                        LMTP_DOMAIN: f"lmtp:inet:127.0.0.1:{cls.lmtp.port}"},
            relay_domains=[LMTP_DOMAIN])
        cls.addClassCleanup(cls.postfix.stop)
        cls.postfix.start()

    def swaks(self, data, mail_from, rcpts, *extra, helo="client.cq-test.example"):
        path = os.path.join(self.dir, f"swaks-{self.id().rsplit('.', 1)[-1]}.eml")
        with open(path, "wb") as f:
            f.write(data)
        proc = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(self.postfix.smtpd_port),
             "--helo", helo, "--from", mail_from, "--to", ",".join(rcpts),
             "--data", f"@{path}", *extra], capture_output=True, timeout=60)
        output = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
        self.assertEqual(proc.returncode, 0, f"swaks failed:\n{output}")
        return output

    def signed_list_mail(self, rcpt, message_id):
        return dkim_sign(message(f"CQ test list <cq-test@{LIST_DOMAIN}>", rcpt,
                                 "[cq-test:00001] hello", message_id),
                         LIST_DOMAIN, SELECTOR, self.key_path)

    def test_signed_list_mail_passes_spf_dkim_and_dmarc(self):
        rcpt = "member-a@members.example"
        self.swaks(self.signed_list_mail(rcpt, "a.1@list.cq-test.example"),
                   f"cq-test-bounces@{LIST_DOMAIN}", [rcpt])
        self.postfix.wait_until_queue_empty()
        record, = self.sink.wait_for_records(1, where=lambda r: r["rcpt_tos"] == [rcpt])
        self.assertEqual(record["decision"], "accepted", record["reply"])
        self.assertEqual(record["helo"], self.postfix.myhostname)
        auth = record["auth"]
        self.assertEqual(auth["spf"]["result"], "pass")
        self.assertEqual([(s["d"], s["s"], s["result"]) for s in auth["dkim"]],
                         [(LIST_DOMAIN, SELECTOR, "pass")])
        self.assertEqual(auth["dmarc"]["result"], "pass")
        self.assertEqual(auth["dmarc"]["policy"], "reject")
        self.assertEqual(sorted(auth["dmarc"]["aligned_by"]),
                         [f"dkim:{LIST_DOMAIN}", f"spf:{LIST_DOMAIN}"])
        self.assertEqual(auth["arc"]["result"], "none")
        copy, = self.sink.messages_for(rcpt)
        head = copy.split(b"\r\n\r\n", 1)[0].decode()
        self.assertTrue(head.startswith(f"Return-Path: <cq-test-bounces@{LIST_DOMAIN}>\r\n"
                                        "Authentication-Results: mx.sink.example;"), head)
        self.assertIn(f"dkim=pass header.d={LIST_DOMAIN} header.s={SELECTOR}", head)
        self.assertIn(f"spf=pass (client-ip {LIST_SERVER_IP}) smtp.mailfrom={LIST_DOMAIN}", head)
        self.assertIn(f"dmarc=pass (p=reject) header.from={LIST_DOMAIN}", head)
        self.assertIn("Received: from client.cq-test.example", head)

    def test_arc_sealed_list_mail_is_reported_as_arc_pass(self):
        rcpt = "member-e@members.example"
        signed = self.signed_list_mail(rcpt, "e.1@list.cq-test.example")
        inbound = (f"Authentication-Results: {LIST_DOMAIN}; spf=pass "
                   f"smtp.mailfrom=poster@{SENDER_DOMAIN}\r\n").encode()
        sealed = dkim_sign(inbound + signed, LIST_DOMAIN, SELECTOR, self.key_path,
                           headers=("from", "to", "subject"),
                           arc_srv_id=LIST_DOMAIN)
        self.assertTrue(sealed.startswith(b"ARC-Seal: i=1;"), sealed[:200])
        self.swaks(sealed, f"cq-test-bounces@{LIST_DOMAIN}", [rcpt])
        record, = self.sink.wait_for_records(1, where=lambda r: r["rcpt_tos"] == [rcpt])
        self.assertEqual(record["decision"], "accepted", record["reply"])
        self.assertEqual(record["auth"]["arc"]["result"], "pass", record["auth"]["arc"])
        self.assertEqual([s["result"] for s in record["auth"]["dkim"]], ["pass"])
        self.assertIn(b"arc=pass", self.sink.messages_for(rcpt)[0].split(b"\r\n\r\n", 1)[0])

    def test_unaligned_mail_from_reject_domain_is_refused_and_bounced(self):
        rcpt = "member-b@members.example"
        poster = f"poster@{SENDER_DOMAIN}"
        self.swaks(message(f"The Boss <boss@{SPOOFED_DOMAIN}>", rcpt, "wire the money",
                           "b.1@spoofed.example"), poster, [rcpt])
        refused, = self.sink.wait_for_records(1, where=lambda r: r["rcpt_tos"] == [rcpt])
        self.assertEqual(refused["decision"], "rejected")
        self.assertEqual(refused["auth"]["spf"]["result"], "pass")  # but for another domain
        self.assertEqual(refused["auth"]["dkim"], [])
        self.assertEqual(refused["auth"]["dmarc"]["result"], "fail")
        self.assertEqual(refused["auth"]["dmarc"]["policy"], "reject")
        lines = refused["reply"].split("\r\n")
        self.assertTrue(all(line.startswith("550-5.7.26 ") for line in lines[:-1]), lines)
        self.assertTrue(lines[-1].startswith("550 5.7.26 "), lines)
        self.assertIn("fails to pass authentication checks (SPF or DKIM)", refused["reply"])
        self.assertEqual(self.sink.messages_for(rcpt), [])

        dsn_record, = self.bounces.wait_for_records(1, where=lambda r: r["rcpt_tos"] == [poster])
        self.assertEqual(dsn_record["mail_from"], "")
        self.postfix.wait_until_queue_empty()
        dsn, = self.bounces.messages_for(poster)
        text = dsn.decode(errors="replace")
        self.assertIn("Content-Type: multipart/report; report-type=delivery-status", text)
        self.assertIn(f"Final-Recipient: rfc822; {rcpt}", text)
        self.assertIn("Action: failed", text)
        self.assertIn("Status: 5.7.26", text)
        self.assertIn("Diagnostic-Code: smtp; 550-5.7.26", text)
        self.postfix.wait_for_log(rf"to=<{rcpt}>.*dsn=5\.7\.26, status=bounced")

    def test_lmtp_transport_forwards_the_posting_client(self):
        rcpts = sorted([f"cq-test@{LMTP_DOMAIN}", f"cq-test-request@{LMTP_DOMAIN}"])
        self.swaks(message(f"Alice <alice@{SPOOFED_DOMAIN}>", rcpts[0], "a post",
                           "c.1@spoofed.example"), f"alice@{SPOOFED_DOMAIN}", rcpts,
                   "--xclient-addr", "203.0.113.9", "--xclient-name", "mail.spoofed.example",
                   "--xclient-helo", "mail.spoofed.example", helo="mail.spoofed.example")
        record, = self.lmtp.wait_for_records(1, where=lambda r: sorted(r["rcpt_tos"]) == rcpts)
        self.assertEqual(record["protocol"], "lmtp")
        self.assertEqual(record["decision"], "accepted")
        self.assertEqual(record["helo"], self.postfix.myhostname)
        forwarded = record["xforward"]
        self.assertEqual(forwarded.get("ADDR"), "203.0.113.9", forwarded)
        self.assertEqual(forwarded.get("NAME"), "mail.spoofed.example", forwarded)
        self.assertEqual(forwarded.get("HELO"), "mail.spoofed.example", forwarded)
        self.assertEqual(forwarded.get("PROTO"), "ESMTP", forwarded)
        # Both recipients got their own LMTP reply, or Postfix would keep one queued.
        self.postfix.wait_until_queue_empty()
        for rcpt in rcpts:
            self.assertEqual(len(self.lmtp.messages_for(rcpt)), 1)

    def test_reinject_port_expands_xverp_per_recipient(self):
        rcpts = ["member-c@members.example", "member-d@members.example"]
        data = self.signed_list_mail(rcpts[0], "d.1@list.cq-test.example")
        with smtplib.SMTP("127.0.0.1", self.postfix.reinject_port, timeout=30) as client:
            client.ehlo("cqlist.cq-test.example")
            self.assertTrue(client.has_extn("xverp"), client.esmtp_features)
            refused = client.sendmail(f"cq-test-bounces@{LIST_DOMAIN}", rcpts, data,
                                      mail_options=["XVERP=+="])
        self.assertEqual(refused, {})
        self.postfix.wait_until_queue_empty()
        records = self.sink.wait_for_records(2, where=lambda r: r["rcpt_tos"][0] in rcpts)
        by_rcpt = {r["rcpt_tos"][0]: r for r in records}
        self.assertEqual(sorted(by_rcpt), rcpts)
        for rcpt, record in by_rcpt.items():
            self.assertEqual(record["rcpt_tos"], [rcpt])
            local, domain = rcpt.split("@")
            self.assertEqual(record["mail_from"], f"cq-test-bounces+{local}={domain}@{LIST_DOMAIN}")
            self.assertEqual(record["decision"], "accepted", record["reply"])
            self.assertEqual(record["auth"]["dmarc"]["result"], "pass")

    def test_private_instance_leaves_the_system_postfix_alone(self):
        system_master = system_master_pid()
        if system_master is not None:  # on machines that run Postfix for real
            self.assertNotEqual(self.postfix.master_pid, system_master)
        self.assertTrue(os.path.exists(f"/proc/{self.postfix.master_pid}"))
        with open(os.path.join(self.postfix.config_dir, "master.cf"), encoding="utf-8") as f:
            services = [line.split() for line in f
                        if line.strip() and not line[0].isspace() and not line.startswith("#")]
        self.assertTrue(all(fields[4] == "n" for fields in services if len(fields) >= 8))
        self.assertIn(f"127.0.0.1:{self.postfix.smtpd_port}", [fields[0] for fields in services])
        self.assertNotIn("smtp inet", [" ".join(fields[:2]) for fields in services])
        self.assertIn(f"configuration {self.postfix.config_dir}", self.postfix.log())


class SinkPolicyTest(unittest.TestCase):
    """The sink's own decisions, so a scenario's 250 or 550 means what the test thinks."""

    def auth(self, spf, dkim_d, from_domain, policy, aligned_by):
        return {"spf": {"result": spf, "domain": "bounce.example"},
                "dkim": [{"d": dkim_d, "s": "s", "a": "rsa-sha256", "result": "pass"}],
                "dmarc": {"result": "pass" if aligned_by else "fail", "policy": policy,
                          "from_domain": from_domain, "aligned_by": aligned_by}}

    def test_organizational_domains_follow_the_public_suffix_list(self):
        suffixes = PublicSuffixes()
        self.assertEqual(suffixes.org_domain("list.cq-test.example"), "cq-test.example")
        self.assertEqual(suffixes.org_domain("a.b.example.co.uk"), "example.co.uk")
        self.assertEqual(suffixes.org_domain("mail.google.com"), "google.com")
        self.assertEqual(suffixes.org_domain("example"), "example")

    def test_unaligned_pass_is_refused_for_bulk_but_kept_for_p_none_when_lenient(self):
        unaligned = self.auth("pass", "list.example", "poster.example", "none", [])
        self.assertIn("550 5.7.26", rejection(unaligned, True, "192.0.2.1", "mx", 1))
        self.assertIsNone(rejection(unaligned, False, "192.0.2.1", "mx", 1))

    def test_dmarc_reject_policy_is_enforced_even_when_lenient(self):
        refused = rejection(self.auth("pass", "list.example", "poster.example", "reject", []),
                            False, "192.0.2.1", "mx", 7)
        self.assertTrue(refused.startswith("550-5.7.26 Unauthenticated email from "
                                           "poster.example is not accepted"), refused)
        self.assertTrue(refused.endswith("550 5.7.26 mx: message 7 refused"), refused)

    def test_aligned_pass_is_accepted(self):
        aligned = self.auth("fail", "poster.example", "poster.example", "reject",
                            ["dkim:poster.example"])
        self.assertIsNone(rejection(aligned, True, "192.0.2.1", "mx", 1))


if __name__ == "__main__":
    main()

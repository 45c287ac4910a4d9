"""The list server end to end: Postfix -> LMTP -> cqlist serve -> SMTP -> Postfix -> a strict
receiving sink that checks SPF/DKIM/DMARC/ARC independently (pyspf, dkimpy).

Topology: list_env.py's (all 127.0.0.1, free ports); the list signs with RSA and Ed25519.
"""
import re
import time
import urllib.error
import urllib.request

from harness import main
from list_env import (ListServerCase, header, list_domain_records, message,
                      poster_domain_records)

LIST_DOMAIN = "list.cq-test.example"
LIST = f"ham@{LIST_DOMAIN}"
FORGER_SERVER_IP = "198.51.100.7"
NONE_DOMAIN = "none.cq-test.example"      # p=none
REJECT_DOMAIN = "reject.cq-test.example"  # p=reject
OWNER = "owner@third.cq-test.example"
MEMBERS = [f"alice@{NONE_DOMAIN}", f"bob@{REJECT_DOMAIN}", "carol@third.cq-test.example"]
RECIPIENTS = MEMBERS + [OWNER]  # the owner is a member too


class ListServerTest(ListServerCase):
    @classmethod
    def setUpClass(cls):
        cls.make_dir("cqlist-list-server-")
        rsa_key, rsa_record = cls.key(LIST_DOMAIN, "rsa1", "rsa2048")
        ed_key, ed_record = cls.key(LIST_DOMAIN, "ed1", "ed25519")
        cls.start_mail_system({**list_domain_records(LIST_DOMAIN, {**rsa_record, **ed_record}),
                               **poster_domain_records(NONE_DOMAIN, "none"),
                               **poster_domain_records(REJECT_DOMAIN, "reject")},
                              [LIST_DOMAIN])
        cls.cqlist("list", "create", LIST, "--owner", OWNER,
                   "--set", "dkim_selector_rsa=rsa1", "--set", f"dkim_key_rsa={rsa_key}",
                   "--set", "dkim_selector_ed25519=ed1", "--set", f"dkim_key_ed25519={ed_key}",
                   "--set", "footer=-- ham list: https://lists.cq-test.example/ham/",
                   "--set", "description=Ham radio talk")
        cls.cqlist("members", "add", LIST, *MEMBERS)
        cls.start_server()

    def post(self, data, mail_from, **kwargs):
        self.send(data, mail_from, LIST, **kwargs)

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
        self.post(message(f"Alice <alice@{NONE_DOMAIN}>", LIST, "first QSO report", "p1@none"),
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
        self.post(message(f"Bob <bob@{REJECT_DOMAIN}>", LIST, "antenna question", "p2@reject"),
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
        self.post(message(f"Bob <bob@{REJECT_DOMAIN}>", LIST, "send me your password",
                          "p3@forged"),
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
        self.post(message(f"Alice <alice@{NONE_DOMAIN}>", LIST, subject, "p4@none", body=body,
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
        self.post(message(f"Alice <alice@{NONE_DOMAIN}>", LIST, "counted", "p6@none"),
                  f"alice@{NONE_DOMAIN}")
        self.copies("counted", len(RECIPIENTS))
        self.assertGreaterEqual(self.metric("cqlist_lmtp_messages_total"), 1)
        self.assertGreaterEqual(self.metric("cqlist_lmtp_recipients_accepted_total"), 1)

    def test_one_click_unsubscribe_from_a_personalised_copy(self):
        bob, carol = MEMBERS[1], MEMBERS[2]
        self.cqlist("list", "set", LIST, "personalize=true",
                    "web_url=https://lists.cq-test.example/ham/")
        self.addCleanup(self.cqlist, "members", "add", LIST, bob)
        self.addCleanup(self.cqlist, "members", "add", LIST, carol)
        self.addCleanup(self.cqlist, "list", "set", LIST, "personalize=false", "--unset",
                        "web_url")
        self.post(message(f"Alice <alice@{NONE_DOMAIN}>", LIST, "personal copies", "p5@none"),
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

        # RFC 8058 §3.1 recommends multipart/form-data for the POST, as its examples send it.
        copy, = [c for c in self.sink.messages_for(bob) if b"personal copies" in c]
        link = re.search(r"<(https://lists\.cq-test\.example/ham/unsubscribe\?[^>]+)>",
                         header(copy, "List-Unsubscribe")[0]).group(1)
        local = link.replace("https://lists.cq-test.example",
                             f"http://127.0.0.1:{self.http_port}")
        boundary = "---FormBoundaryjWmhtjORrn"
        form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
                f"\r\nOne-Click\r\n--{boundary}--\r\n").encode()
        request = urllib.request.Request(
            local, data=form,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urllib.request.urlopen(request, timeout=5) as r:
            self.assertEqual(r.status, 200)
        self.assertNotIn(bob, self.cqlist("members", "list", LIST)[1])


if __name__ == "__main__":
    main()

"""The list server end to end: Postfix -> LMTP -> cqlist serve -> SMTP -> Postfix -> a strict
receiving sink that checks SPF/DKIM/DMARC/ARC independently (pyspf, dkimpy).

Topology: list_env.py's (all 127.0.0.1, free ports); the list signs with RSA and Ed25519.
"""
import json
import os
import re
import smtplib
import subprocess
import time
import urllib.error
import urllib.request

from harness import Env, main
from list_env import (POSTER_SERVER_IP, ListServerCase, cqlist_toml, header,
                      list_domain_records, message, poster_domain_records)
from private_postfix import free_tcp_port

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

    @classmethod
    def postfix_main_cf(cls):
        # Recipients the relay refuses (texthash: read again on `postfix reload`, no postmap);
        # main.cf's restriction applies to the reinjection listener cqlist sends to.
        cls.rcpt_access = os.path.join(cls.dir, "rcpt_access")
        open(cls.rcpt_access, "w").close()
        return {"smtpd_recipient_restrictions":
                f"check_recipient_access texthash:{cls.rcpt_access}"}

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

    # --- XFORWARD ---------------------------------------------------------------------------

    def held_posts(self):
        return self.cqlist("held", "list", LIST)[1]

    def test_xforward_is_believed_only_from_xforward_hosts(self):
        bob = f"Bob <bob@{REJECT_DOMAIN}>"
        # By default Postfix on loopback may send XFORWARD: the poster's server, which
        # reject.cq-test.example's SPF authorises, makes SPF and DMARC pass.
        self.post(message(bob, LIST, "xforward believed"), f"bob@{REJECT_DOMAIN}")
        self.copies("xforward believed", len(RECIPIENTS))
        copy, = [c for c in self.sink.messages_for(MEMBERS[0]) if b"xforward believed" in c]
        results = " ".join(header(copy, "ARC-Authentication-Results"))
        self.assertIn(f"spf=pass smtp.mailfrom=bob@{REJECT_DOMAIN}", results)
        self.assertIn("dmarc=pass", results)

        # Trusting only another network, cqlist offers XFORWARD to nobody on loopback:
        # Postfix does not send it, and a client that sends it anyway is refused.
        self.restart_server(xforward_hosts=["192.0.2.0/24"])
        self.addCleanup(self.restart_server)
        with smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=10) as lmtp:
            code, _ = lmtp.ehlo("mta.cq-test.example")
            self.assertEqual(code, 250)
            self.assertFalse(lmtp.has_extn("xforward"), lmtp.esmtp_features)
            code, reply = lmtp.docmd("XFORWARD", f"ADDR={POSTER_SERVER_IP}")
            self.assertEqual(code, 550, reply)
        self.assertIn("event=lmtp.xforward_refused", self.log_text())
        # The same post now has no client address to check SPF with: it fails DMARC under
        # p=reject and is held.
        self.post(message(bob, LIST, "xforward ignored"), f"bob@{REJECT_DOMAIN}")
        self.mail_with_subject(OWNER, "held post: xforward ignored")
        reasons = re.findall(r"subject: xforward ignored\n\s+reason:\s+(.*)",
                             self.held_posts())
        self.assertEqual(len(reasons), 1, self.held_posts())
        self.assertIn(f"fails DMARC for {REJECT_DOMAIN} (p=reject)", reasons[0])
        self.assertFalse([r for r in self.sink.records()
                          if "[ham:" in (r.get("subject") or "")
                          and "xforward ignored" in r["subject"]])

    def test_malformed_xforward_hosts_stops_serve_with_the_setting_named(self):
        config = os.path.join(self.dir, "bad-xforward.toml")
        with open(config, "w") as f:
            f.write(cqlist_toml(os.path.join(self.dir, "bad-xforward"), self.dns.address,
                                lmtp_port=free_tcp_port(),
                                xforward_hosts=["127.0.0.1", "192.0.2.0/33"]))
        proc = subprocess.run([Env.cqlist, "serve", "--config", config], capture_output=True,
                              timeout=20)
        err = proc.stderr.decode(errors="replace")
        self.assertEqual(proc.returncode, 78, err)  # EX_CONFIG, as every error in cqlist.toml
        self.assertIn("lmtp.xforward_hosts", err)
        self.assertIn('"192.0.2.0/33" is not an IP address or network', err)

    # --- a member's server refuses for now ---------------------------------------------------

    def set_relay_refusals(self, lines):
        """The relay's recipient access map; Postfix reloads, and cqlist serve restarts so
        that its pooled connections reach smtpd processes that read the new map."""
        with open(self.rcpt_access, "w") as f:
            f.writelines(line + "\n" for line in lines)
        self.postfix.reload()
        self.restart_server()

    def pending_jobs(self):
        return json.loads(self.cqlist("queue", LIST, "--json")[1])["jobs"]

    def test_recipient_refused_for_now_gets_one_copy_after_the_retry(self):
        carol = MEMBERS[2]
        self.set_relay_refusals([f"{carol} 450 4.2.0 try later"])
        self.addCleanup(self.set_relay_refusals, [])
        self.post(message(f"Alice <alice@{NONE_DOMAIN}>", LIST, "retry for carol"),
                  f"alice@{NONE_DOMAIN}")
        others = sorted(set(RECIPIENTS) - {carol})
        records = self.copies("retry for carol", len(others))
        self.assertEqual(sorted(r["rcpt_tos"][0] for r in records), others)
        deadline = time.monotonic() + 30
        while not self.pending_jobs() and time.monotonic() < deadline:
            time.sleep(0.2)
        job, = self.pending_jobs()
        self.assertEqual(job["attempts"], 1, job)
        self.assertIn("1 recipient refused for now", job["last_error"])
        self.assertIn("try later", job["last_error"])
        self.assertNotEqual(job["next_try"], "", job)  # backs off
        self.assertIn("1 recipient refused for now", self.cqlist("queue", LIST)[1])
        self.assertEqual([c for c in self.sink.messages_for(carol) if b"retry for carol" in c],
                         [])

        # The relay takes carol again; the job waits for its retry time (30 s after the first
        # try), and `cqlist deliver --all` does not wait for it, as `postqueue -f`.
        with open(self.rcpt_access, "w"):
            pass
        self.postfix.reload()
        # `cqlist deliver` is for when the daemon is not running (the cleanup starts it again).
        self.server.stop()
        self.cqlist("deliver")
        waiting, = self.pending_jobs()
        self.assertEqual(waiting["attempts"], 1, "tried again before its retry time")
        self.cqlist("deliver", "--all")
        self.assertEqual(self.pending_jobs(), [])
        self.copies("retry for carol", len(RECIPIENTS))
        self.postfix.wait_until_queue_empty()
        time.sleep(1)  # no second copy arrives late
        records = [r for r in self.sink.records()
                   if "retry for carol" in (r.get("subject") or "")]
        self.assertEqual(sorted(r["rcpt_tos"][0] for r in records), sorted(RECIPIENTS))
        for record in records:
            self.assert_signed_list_copy(record)

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

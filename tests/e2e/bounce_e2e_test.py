"""Bounces end to end: a VERP round trip through the real Postfix of the harness.

Topology: list_env.py's (all 127.0.0.1, free ports), with two lists:
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
import time

from harness import main
from list_env import ListServerCase, list_domain_records, message, poster_domain_records
from strict_sink import CatchAllSink

GOOD_DOMAIN = "list.cq-test.example"   # SPF, DKIM and DMARC in order
BAD_DOMAIN = "broken.cq-test.example"  # no SPF record, no DKIM key: receivers refuse it
GOOD = f"ham@{GOOD_DOMAIN}"
BAD = f"eggs@{BAD_DOMAIN}"
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


def post(list_address, subject, message_id):
    return message(f"Alice <{POSTER}>", list_address, subject, message_id)


class BounceTest(ListServerCase):
    @classmethod
    def setUpClass(cls):
        cls.make_dir("cqlist-bounce-")
        rsa_key, rsa_record = cls.key(GOOD_DOMAIN, "rsa1")
        cls.owners = CatchAllSink(os.path.join(cls.dir, "owners")).start()
        cls.addClassCleanup(cls.owners.stop)
        cls.start_mail_system({**list_domain_records(GOOD_DOMAIN, rsa_record),
                               **poster_domain_records(POSTER_DOMAIN, "none")},
                              [GOOD_DOMAIN, BAD_DOMAIN], reject_rcpts={GONE: GONE_REPLY},
                              transports={OWNER_DOMAIN: f"smtp:[127.0.0.1]:{cls.owners.port}"})
        cls.cqlist("list", "create", GOOD, "--owner", OWNER,
                   "--set", "dkim_selector_rsa=rsa1", "--set", f"dkim_key_rsa={rsa_key}")
        cls.cqlist("members", "add", GOOD, POSTER, GONE, STAYS)
        cls.cqlist("list", "create", BAD, "--owner", OWNER, "--set", "arc=false")
        cls.cqlist("members", "add", BAD, POSTER, DANA)
        cls.start_server()

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
        self.send(post(GOOD, "antenna tuning", "b1@none"), POSTER, GOOD)
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
        self.send(post(BAD, "broken setup", "b2@none"), POSTER, BAD)
        self.wait_for_log(rf"event=bounce\.processed list={re.escape(BAD)} member={DANA}")
        self.assertEqual(self.score(DANA, BAD), 0)
        self.assertIn("5.7.26", self.show(DANA, BAD))
        senders = [g for g in self.groups(BAD) if g["side"] == "sender"]
        self.assertTrue(senders, self.groups(BAD))
        self.assertIn("cqlist doctor", senders[0]["advice"])
        for group in senders:
            self.assertTrue(all(m["score"] == 0 for m in group["members"]), group)
        # The operator's table says the same: the sender side, the member at 0, the fix.
        _, table, _ = self.cqlist("bounces", "--list", BAD)
        self.assertRegex(table, rf"^{re.escape(BAD)}: \d+ bounces since ")
        row = re.search(rf"(?m)^  \S+\s+{re.escape(senders[0]['reason'])}\s+sender\s+\d+ bounces, "
                        r"\d+ members$", table)
        self.assertIsNotNone(row, table)
        self.assertRegex(table, rf"members: .*{re.escape(DANA)} \(0\.0\)")
        self.assertIn("5.7.26", table)
        self.assertRegex(table, r"advice:  .*cqlist doctor")
        alerts = self.owners.wait_for_records(
            1, timeout=60, where=lambda r: r["rcpt_tos"] == [OWNER]
            and "refused the list's mail" in (r.get("subject") or ""))
        self.assertEqual(len(alerts), 1)
        self.assertTrue(alerts[0]["subject"].startswith(BAD), alerts[0]["subject"])
        # Further sender-side bounces wait for the next period: still one summary.
        self.send(post(BAD, "still broken", "b3@none"), POSTER, BAD)
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
            self.send(forged, "postmaster@mx.example.net", f"{local}@{GOOD_DOMAIN}")
        self.wait_for_log(r"event=bounce\.unauthenticated list=ham@", count=2)
        self.assertEqual(self.show(STAYS, GOOD), before)
        self.assertEqual(self.score(STAYS, GOOD), 0)
        self.assertIn("history (0 bounces)", self.show(STAYS, GOOD))


if __name__ == "__main__":
    main()

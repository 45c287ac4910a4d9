"""The policy service end to end: a non-member's post to a list with non_member=reject is
refused by Postfix at RCPT time, on cqlist's word, so Postfix never queues it and no bounce
(backscatter) goes to the possibly forged sender; members, bounces and the list's other
addresses pass.

Topology: list_env.py's (all 127.0.0.1, free ports), plus Postfix's
smtpd_recipient_restrictions exactly as `cqlist postfix-config` prints them:
  smtplib (XCLIENT: the poster's server) -> PrivatePostfix smtpd
      -- check_policy_service --> cqlist serve (policy service)
The sink also stands for every poster's mailbox, so a bounce Postfix sent would land there.
"""
import re
import smtplib
import time

from harness import main
from list_env import (LIST_SERVER_IP, POSTER_HELO, POSTER_SERVER_IP, ListServerCase,
                      list_domain_records, message, poster_domain_records)
from loopback_dns import txt

LIST_DOMAIN = "list.cq-test.example"
LIST = f"ham@{LIST_DOMAIN}"
MEMBER_DOMAIN = "none.cq-test.example"  # p=none
MEMBER = f"alice@{MEMBER_DOMAIN}"
OWNER = "owner@third.cq-test.example"
FORGED = "victim@forged.cq-test.example"  # a third party whose address a spammer uses


class PolicyTest(ListServerCase):
    @classmethod
    def setUpClass(cls):
        cls.make_dir("cqlist-policy-")
        rsa_key, rsa_record = cls.key(LIST_DOMAIN, "rsa1")
        # Postfix's own bounces (MAIL FROM:<>) pass SPF by its HELO name at the sink.
        postfix_helo = {"mta.cq-test.example": [txt(f"v=spf1 ip4:{LIST_SERVER_IP} -all")]}
        cls.start_mail_system({**list_domain_records(LIST_DOMAIN, rsa_record),
                               **poster_domain_records(MEMBER_DOMAIN, "none"), **postfix_helo},
                              [LIST_DOMAIN], policy=True)
        cls.cqlist("list", "create", LIST, "--owner", OWNER, "--set", "non_member=reject",
                   "--set", "dkim_selector_rsa=rsa1", "--set", f"dkim_key_rsa={rsa_key}")
        cls.cqlist("members", "add", LIST, MEMBER)
        cls.start_server()

    @classmethod
    def postfix_main_cf(cls):
        """Postfix gets the restriction lines `cqlist postfix-config` prints for cqlist.toml."""
        _, out, _ = cls.cqlist("postfix-config", LIST)
        return {name: re.search(rf"(?m)^{name} = (.*)$", out).group(1)
                for name in ("smtpd_recipient_restrictions",
                             "smtpd_policy_service_default_action")}

    def session(self):
        """An SMTP session to Postfix that looks like it comes from the poster's server."""
        client = smtplib.SMTP("127.0.0.1", self.postfix.smtpd_port, timeout=30)
        self.addCleanup(client.close)
        client.ehlo("client.poster.test")
        code, text = client.docmd("XCLIENT", f"ADDR={POSTER_SERVER_IP} NAME=[UNAVAILABLE] "
                                             f"HELO={POSTER_HELO}")
        self.assertEqual(code, 220, text)
        client.ehlo(POSTER_HELO)
        return client

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
        code, output = self.swaks(
            message(f"Spammer <{FORGED}>", LIST, "cheap pills", "spam.1@forged"), FORGED, LIST)
        self.assertNotEqual(code, 0, output)  # swaks: the recipient was refused
        self.assertRegex(output, r"<\*\* 550 5\.7\.1 .*only members of ")
        time.sleep(2)
        self.assert_never_queued_from(FORGED)
        self.assertNotIn("spam.1@forged", self.postfix.log())  # cleanup never saw it
        self.assert_nothing_reached_the_sink("cheap pills", FORGED)

    def test_member_post_still_reaches_the_members(self):
        client = self.session()
        self.assertEqual(client.mail(MEMBER)[0], 250)
        self.assertEqual(client.rcpt(LIST)[0], 250)
        code, text = client.data(
            message(f"Alice <{MEMBER}>", LIST, "member post passes", "m.1@none"))
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
        code, text = client.data(
            message(f"Someone <{FORGED}>", LIST, "from a stranger", "s.1@none"))
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

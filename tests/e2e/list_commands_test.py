"""Mail commands end to end: subscribe and unsubscribe with confirmation (by reply, by
"confirm CODE" and by the web link), nomail/digest (confirmed by reply or by the web link,
or at once when the list's MTA vouches for From), get/index/members, moderators' approve/reject
by reply (two moderators deciding one post), RFC 3834 silence towards automatic mail, and a
Japanese list's help.

Same topology as list_server_test.py (list_env.py): a command mail goes swaks -> private
Postfix -> LMTP -> cqlist serve; cqlist's answers go out with MAIL FROM:<> through Postfix's
reinjection listener to the strict sink, which accepts them only when the list domain's DKIM
passes. Assertions are on what the sink received and on the store, read through the CLI.
"""
import csv
import io
import os
import re
import threading
import time
import urllib.error
import urllib.request

from harness import main
from list_env import (ListServerCase, attached_articles, header, list_domain_records, message,
                      parsed, poster_domain_records)

LIST_DOMAIN = "list.cq-test.example"
NONE_DOMAIN = "none.cq-test.example"  # p=none
LIST = f"ham@{LIST_DOMAIN}"
REQUEST = f"ham-request@{LIST_DOMAIN}"
JA_LIST = f"jam@{LIST_DOMAIN}"
OWNER = "owner@third.cq-test.example"
MEMBER = f"mike@{NONE_DOMAIN}"
MOD_LIST = f"mod@{LIST_DOMAIN}"  # two moderators
MOD_REQUEST = f"mod-request@{LIST_DOMAIN}"
MODERATORS = [f"max@{NONE_DOMAIN}", f"mona@{NONE_DOMAIN}"]
TRUSTED_AUTHSERV_ID = "mx.list.cq-test.example"  # the list's own MTA, for trusted_authserv_id


def person(name):
    return f"{name}@{NONE_DOMAIN}"


def command_mail(sender, to, subject, body="", extra=""):
    return message(sender, to, subject, body=body, extra=extra)


def text_of(copy):
    """The decoded text of the first text/plain part (the reply or notice itself)."""
    part = parsed(copy).get_body(preferencelist=("plain",))
    return part.get_content()


class ListCommandsTest(ListServerCase):
    @classmethod
    def setUpClass(cls):
        cls.make_dir("cqlist-list-commands-")
        rsa_key, rsa_record = cls.key(LIST_DOMAIN, "rsa1")
        cls.start_mail_system({**list_domain_records(LIST_DOMAIN, rsa_record),
                               **poster_domain_records(NONE_DOMAIN, "none")}, [LIST_DOMAIN])
        signing = ["--set", "dkim_selector_rsa=rsa1", "--set", f"dkim_key_rsa={rsa_key}"]
        cls.web = "https://lists.cq-test.example/ham/"
        cls.cqlist("list", "create", LIST, "--owner", OWNER, *signing,
                   "--set", f"web_url={cls.web}")
        cls.cqlist("members", "add", LIST, MEMBER)
        cls.cqlist("list", "create", JA_LIST, "--owner", OWNER, *signing, "--set", "language=ja")
        cls.cqlist("list", "create", MOD_LIST, "--owner", OWNER, *signing)
        cls.cqlist("members", "add", MOD_LIST, *MODERATORS, "--role", "moderator")
        cls.cqlist("members", "add", MOD_LIST, MEMBER)
        cls.start_server()

    # --- sending and receiving -------------------------------------------------------------

    def command(self, sender, subject, body="", to=REQUEST, extra=""):
        self.send(command_mail(sender, to, subject, body, extra), sender, to)

    def assert_auto_reply(self, copy, kind="auto-replied"):
        """A reply of the list server: null envelope sender, RFC 3834 marks, signed."""
        self.assertTrue(copy.startswith(b"Return-Path: <>\r\n"), copy[:200])
        self.assertEqual(header(copy, "Auto-Submitted"), [kind])
        self.assertEqual(header(copy, "X-Loop"), [REQUEST])
        self.assertIn(f"dkim=pass header.d={LIST_DOMAIN}",
                      header(copy, "Authentication-Results")[0])

    def members(self, list_address=LIST):
        out = self.cqlist("members", "list", list_address)[1]
        return set(re.findall(r"[\w.+-]+@[\w.-]+", out))

    def member_rows(self, list_address=LIST):
        """`cqlist members list --format csv`: {address: its row}."""
        out = self.cqlist("members", "list", list_address, "--format", "csv")[1]
        return {row["address"]: row for row in csv.DictReader(io.StringIO(out))}

    def mode(self, address, list_address=LIST):
        return self.member_rows(list_address)[address]["mode"]

    def confirmation(self, rcpt, request_words):
        """Waits for the confirmation request; returns (copy, token)."""
        copy = self.mail_with_subject(rcpt, "confirm ")
        self.assert_auto_reply(copy)
        token = re.fullmatch(r"confirm ([a-z2-7]{16,})", str(parsed(copy)["Subject"])).group(1)
        self.assertEqual(header(copy, "Reply-To"), [f"ham-confirm+{token}@{LIST_DOMAIN}"])
        self.assertIn(request_words, text_of(copy))
        self.assertEqual(header(copy, "To"), [rcpt])
        return copy, token

    # --- subscribe, confirm, unsubscribe ---------------------------------------------------

    def test_subscribe_in_subject_confirmed_by_replying_to_the_confirm_address(self):
        dave = person("dave")
        self.command(f"Dave <{dave}>", "subscribe")
        copy, token = self.confirmation(dave, "asked to subscribe")
        self.assertIn(f"{self.web}confirm?token={token}", text_of(copy))
        self.assertNotIn(dave, self.members())  # nothing changes before the confirmation
        # A plain reply: the mail program sends it to Reply-To, the confirm address.
        confirm_address = f"ham-confirm+{token}@{LIST_DOMAIN}"
        self.send(command_mail(f"Dave <{dave}>", confirm_address, f"Re: confirm {token}",
                               "> Someone, hopefully you, asked to subscribe\r\n"),
                  dave, confirm_address)
        welcome = self.mail_with_subject(dave, "Welcome to")
        self.assert_auto_reply(welcome)
        self.assertIn(dave, self.members())
        self.assertIn(LIST, text_of(welcome))
        # The code was used up: replying again changes nothing and says the code is unknown.
        self.send(command_mail(f"Dave <{dave}>", confirm_address, "Re: confirm again"),
                  dave, confirm_address)
        again = self.wait_for_mail(dave, lambda c: b"unknown or has expired" in c
                                   or "unknown or has expired" in text_of(c))
        self.assert_auto_reply(again)

    def test_subscribe_with_hash_in_body_confirmed_by_the_web_link(self):
        erin = person("erin")
        self.command(erin, "hello", "#subscribe\r\n")
        copy, token = self.confirmation(erin, "asked to subscribe")
        link = re.search(r"(https://lists\.cq-test\.example/ham/confirm\?token=[a-z2-7]+)",
                         text_of(copy)).group(1)
        # The operator's TLS proxy maps the web URL onto cqlist's HTTP listener.
        link = link.replace("https://lists.cq-test.example", f"http://127.0.0.1:{self.http_port}")
        with urllib.request.urlopen(link, timeout=5) as r:  # GET shows a button only
            page = r.read().decode()
        self.assertIn("<form method=post>", page)
        self.assertIn(erin, page)
        self.assertNotIn(erin, self.members())
        forged = link.replace(token, "a" * len(token))
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, data=b"confirm=yes", timeout=5)
        self.assertEqual(refused.exception.code, 400)
        self.assertIn(b"not valid", refused.exception.read())
        self.assertNotIn(erin, self.members())
        with urllib.request.urlopen(link, data=b"confirm=yes", timeout=5) as r:
            self.assertEqual(r.status, 200)
            self.assertIn(erin, r.read().decode())
        self.assertIn(erin, self.members())
        self.assert_auto_reply(self.mail_with_subject(erin, "Welcome to"))
        # A second click finds the code used up.
        with self.assertRaises(urllib.error.HTTPError) as used:
            urllib.request.urlopen(link, data=b"confirm=yes", timeout=5)
        self.assertEqual(used.exception.code, 400)

    def test_unsubscribe_by_mail_confirmed_by_reply(self):
        fred = person("fred")
        self.cqlist("members", "add", LIST, fred)
        self.command(fred, "unsubscribe")
        _, token = self.confirmation(fred, "asked to remove")
        self.assertIn(fred, self.members())
        confirm_address = f"ham-confirm+{token}@{LIST_DOMAIN}"
        self.send(command_mail(fred, confirm_address, f"Re: confirm {token}"), fred,
                  confirm_address)
        goodbye = self.mail_with_subject(fred, "You have left")
        self.assert_auto_reply(goodbye)
        self.assertNotIn(fred, self.members())

    def test_nomail_from_an_unverified_sender_confirmed_by_the_web_link(self):
        wendy = person("wendy")
        self.cqlist("members", "add", LIST, wendy)
        # No Authentication-Results of the list's own MTA vouches for From: a request goes out.
        self.command(wendy, "nomail on")
        copy, token = self.confirmation(wendy, "asked to change how")
        self.assertIn("pause delivery (nomail on)", text_of(copy))
        link = re.search(r"(https://lists\.cq-test\.example/ham/confirm\?token=[a-z2-7]+)",
                         text_of(copy)).group(1)
        self.assertIn(token, link)
        link = link.replace("https://lists.cq-test.example", f"http://127.0.0.1:{self.http_port}")
        with urllib.request.urlopen(link, timeout=5) as r:  # GET shows a button only
            page = r.read().decode()
        self.assertIn("<form method=post>", page)
        self.assertIn(f"Change how {LIST} is delivered to {wendy}: pause delivery (nomail on)?",
                      page)
        self.assertIn("<button>Change delivery</button>", page)
        self.assertEqual(self.mode(wendy), "regular")
        with urllib.request.urlopen(link, data=b"confirm=yes", timeout=5) as r:
            self.assertEqual(r.status, 200)
            page = r.read().decode()
        self.assertIn(f"The delivery of {LIST} to {wendy} is changed: pause delivery (nomail on).",
                      page)
        self.assertEqual(self.mode(wendy), "nomail")
        # A second click finds the code used up.
        with self.assertRaises(urllib.error.HTTPError) as used:
            urllib.request.urlopen(link, data=b"confirm=yes", timeout=5)
        self.assertEqual(used.exception.code, 400)
        self.assertEqual(self.mode(wendy), "nomail")

    def test_bye_in_body_confirmed_with_the_confirm_command(self):
        gina = person("gina")
        self.cqlist("members", "add", LIST, gina)
        self.command(gina, "", "bye\r\n")
        _, token = self.confirmation(gina, "asked to remove")
        self.assertIn(gina, self.members())
        self.command(gina, "", f"# confirm {token}\r\n")
        self.assert_auto_reply(self.mail_with_subject(gina, "You have left"))
        self.assertNotIn(gina, self.members())

    # --- delivery modes --------------------------------------------------------------------

    def copies_with(self, rcpt, subject):
        return [c for c in self.sink.messages_for(rcpt) if subject in str(parsed(c)["Subject"])]

    def assert_post_passes_by(self, rcpt, subject):
        """A post of MEMBER's reaches MEMBER, and once Postfix is done, not rcpt."""
        self.send(message(MEMBER, LIST, subject), MEMBER, LIST)
        self.mail_with_subject(MEMBER, subject)
        self.postfix.wait_until_queue_empty()
        time.sleep(1)
        self.assertEqual(self.copies_with(rcpt, subject), [])

    def test_nomail_by_mail_is_confirmed_by_reply_and_stops_posts(self):
        nora = person("nora")
        self.cqlist("members", "add", LIST, nora)
        self.command(nora, "nomail on")
        copy, token = self.confirmation(nora, "asked to change how")
        self.assertIn("pause delivery (nomail on)", text_of(copy))
        self.assertEqual(self.mode(nora), "regular")  # nothing changes before the confirmation
        confirm_address = f"ham-confirm+{token}@{LIST_DOMAIN}"
        self.send(command_mail(nora, confirm_address, f"Re: confirm {token}",
                               "> Someone, hopefully you, asked to change how\r\n"),
                  nora, confirm_address)
        paused = self.wait_for_mail(nora, lambda c: "is paused until you send" in text_of(c))
        self.assert_auto_reply(paused)
        self.assertEqual(self.mode(nora), "nomail")
        # A post afterwards reaches the other members, not her.
        self.assert_post_passes_by(nora, "while nora pauses")

    def test_digest_by_mail_with_a_foreign_dmarc_pass_still_needs_the_confirmation(self):
        self.cqlist("list", "set", LIST, f"trusted_authserv_id={TRUSTED_AUTHSERV_ID}")
        self.addCleanup(self.cqlist, "list", "set", LIST, "--unset", "trusted_authserv_id")
        dora = person("dora")
        self.cqlist("members", "add", LIST, dora)
        # The sender's own words (another authserv-id) vouch for nothing.
        self.command(dora, "digest on", extra="Authentication-Results: mx.elsewhere.example; "
                     f"dmarc=pass header.from={NONE_DOMAIN}\r\n")
        copy, token = self.confirmation(dora, "asked to change how")
        self.assertIn("receive the posts as digests (digest on)", text_of(copy))
        self.assertEqual(self.mode(dora), "regular")
        self.command(dora, "", f"confirm {token}\r\n")
        done = self.wait_for_mail(dora, lambda c: "as digests." in text_of(c))
        self.assert_auto_reply(done)
        self.assertEqual(self.mode(dora), "digest")
        self.assert_post_passes_by(dora, "while dora digests")

    def test_mode_change_at_once_when_the_lists_mta_vouches_for_from(self):
        self.cqlist("list", "set", LIST, f"trusted_authserv_id={TRUSTED_AUTHSERV_ID}")
        self.addCleanup(self.cqlist, "list", "set", LIST, "--unset", "trusted_authserv_id")
        tina = person("tina")
        self.cqlist("members", "add", LIST, tina)
        vouched = (f"Authentication-Results: {TRUSTED_AUTHSERV_ID}; spf=pass "
                   f"smtp.mailfrom={tina}; dmarc=pass header.from={NONE_DOMAIN}\r\n")
        self.command(tina, "nomail on", extra=vouched)
        reply = self.mail_with_subject(tina, "Re: nomail on")
        self.assert_auto_reply(reply)
        self.assertIn("is paused until you send", text_of(reply))
        self.assertEqual(self.mode(tina), "nomail")
        # A DMARC pass for another domain than From's does not vouch for tina.
        self.command(tina, "nomail off",
                     extra=vouched.replace(NONE_DOMAIN, "third.cq-test.example"))
        self.confirmation(tina, "asked to change how")
        self.assertEqual(self.mode(tina), "nomail")
        self.command(tina, "digest on", extra=vouched)
        self.wait_for_mail(tina, lambda c: "as digests." in text_of(c))
        self.assertEqual(self.mode(tina), "digest")
        self.assertEqual(len(self.copies_with(tina, "confirm ")), 1)

    # --- archive ---------------------------------------------------------------------------

    def post_and_find_article(self, subject):
        """Posts as MEMBER; returns the article number from the distributed copy's tag."""
        self.send(message(MEMBER, LIST, subject), MEMBER, LIST)
        copy = self.mail_with_subject(MEMBER, subject)
        return int(re.search(r"\[ham:(\d+)\]", str(parsed(copy)["Subject"])).group(1))

    def archived(self, article):
        path = os.path.join(self.data_dir, "archive", LIST, f"{article:05d}.eml")
        with open(path, "rb") as f:
            return f.read()

    def test_get_one_and_a_range_return_the_archived_bytes(self):
        first = self.post_and_find_article("archive one")
        second = self.post_and_find_article("archive two")
        self.assertEqual(second, first + 1)
        self.command(MEMBER, f"get {first}")
        single = self.mail_with_subject(MEMBER, f"articles {first}")
        self.assert_auto_reply(single)
        self.assertEqual(parsed(single).get_content_type(), "multipart/digest")
        self.assertEqual(attached_articles(single), [self.archived(first)])
        self.command(MEMBER, "", f"#get {first}-{second}\r\n")
        both = self.mail_with_subject(MEMBER, f"articles {first}-{second}")
        self.assertEqual(attached_articles(both),
                         [self.archived(first), self.archived(second)])
        self.assertEqual(header(both, "To"), [MEMBER])

    def test_get_daily_limit_per_address(self):
        lena = person("lena")
        self.cqlist("members", "add", LIST, lena)
        self.cqlist("list", "set", LIST, "get_daily_limit=1")
        self.addCleanup(self.cqlist, "list", "set", LIST, "--unset", "get_daily_limit")
        first = self.post_and_find_article("limited one")
        second = self.post_and_find_article("limited two")
        self.command(lena, f"get {first}-{second}")
        sent = self.mail_with_subject(lena, f"articles {first}")
        self.assertEqual(attached_articles(sent), [self.archived(first)])
        refused = self.mail_with_subject(lena, f"Re: get {first}-{second}")
        self.assertIn(f"Not sent: {second}. At most 1 articles a day", text_of(refused))
        count_file = os.path.join(self.data_dir, "requests", LIST,
                                  time.strftime("%Y-%m-%d", time.gmtime()))
        with open(count_file) as f:
            self.assertIn(f"1 {lena}\n", f.read())

    def test_index_lists_recent_articles_to_a_member(self):
        article = self.post_and_find_article("indexed topic")
        self.command(MEMBER, "index")
        reply = self.mail_with_subject(MEMBER, "Re: index")
        self.assert_auto_reply(reply)
        text = text_of(reply)
        self.assertRegex(text, rf"\n\s+{article}\s+\d{{4}}-\d\d-\d\d \d\d:\d\d\s+{MEMBER}")
        self.assertIn("indexed topic", text)

    def test_archive_and_members_refused_to_non_members_and_members(self):
        olga = person("olga")
        self.command(olga, "members")
        reply = self.mail_with_subject(olga, "Re: members")
        self.assert_auto_reply(reply)
        self.assertIn(f"is for members of {LIST}", text_of(reply))
        self.assertNotIn(MEMBER, text_of(reply))
        self.command(olga, "get 1")
        self.assertIn("is for members", text_of(self.mail_with_subject(olga, "Re: get 1")))
        # An ordinary member may not have the member list either; the owner may.
        self.command(MEMBER, "members")
        denied = self.mail_with_subject(MEMBER, "Re: members")
        self.assertIn("only sent to its owners and moderators", text_of(denied))
        self.command(OWNER, "members")
        listed = text_of(self.mail_with_subject(OWNER, "Re: members"))
        self.assertIn(MEMBER, listed)
        self.assertIn(f"{OWNER} (owner)", listed)

    # --- moderation ------------------------------------------------------------------------

    def hold_post(self, poster, subject):
        """A non-member's post (non_member=hold); returns the hold notice and its token."""
        self.send(message(poster, LIST, subject), poster, LIST)
        notice = self.mail_with_subject(OWNER, f"held post: {subject}")
        self.assert_auto_reply(notice, "auto-generated")
        self.assertEqual(header(notice, "Reply-To"), [REQUEST])
        token = re.search(r"\(moderate ([a-z2-7]+)\)", str(parsed(notice)["Subject"])).group(1)
        self.assertIn(subject, self.cqlist("held", "list", LIST)[1])
        return notice, token

    def reply_to_notice(self, notice, first_line, sender=OWNER):
        subject = "Re: " + str(parsed(notice)["Subject"])
        self.command(sender, subject, f"{first_line}\r\n\r\n> A post to {LIST} is waiting\r\n")

    def held_state(self, subject):
        out = self.cqlist("held", "list", LIST, "--all")[1]
        line = [l for l in out.splitlines() if subject in l]
        return line[0] if line else ""

    def test_moderator_approves_a_held_post_by_replying(self):
        poster = person("nina")
        notice, _ = self.hold_post(poster, "approve me please")
        self.assertIn(poster, text_of(notice))
        self.assertFalse([c for c in self.sink.messages_for(MEMBER) if b"approve me please" in c])
        self.reply_to_notice(notice, "approve")
        copy = self.mail_with_subject(MEMBER, "approve me please")
        self.assertRegex(str(parsed(copy)["Subject"]), r"^\[ham:\d+\] approve me please$")
        self.assertTrue(copy.startswith(b"Return-Path: <ham-bounces+"), copy[:100])
        result = self.mail_with_subject(OWNER, "Re: [ham] held post: approve me please")
        self.assertIn("was approved", text_of(result))
        self.assertNotIn("approve me please", self.cqlist("held", "list", LIST)[1])

    def test_moderator_rejects_a_held_post_and_the_poster_is_told(self):
        poster = person("oscar")
        notice, _ = self.hold_post(poster, "buy cheap watches")
        self.reply_to_notice(notice, "reject off topic here")
        told = self.mail_with_subject(poster, "was not distributed")
        self.assert_auto_reply(told)
        self.assertIn("off topic here", text_of(told))
        self.assertIn("was rejected", text_of(
            self.mail_with_subject(OWNER, "Re: [ham] held post: buy cheap watches")))
        time.sleep(1)
        self.assertFalse([c for c in self.sink.messages_for(MEMBER) if b"cheap watches" in c])

    def test_forged_token_or_a_member_reply_decides_nothing(self):
        poster = person("paula")
        notice, token = self.hold_post(poster, "still waiting")
        forged = re.sub(r"moderate [a-z2-7]+", "moderate " + "b" * len(token),
                        str(parsed(notice)["Subject"]))
        self.command(OWNER, "Re: " + forged, "approve\r\n")
        unknown = self.wait_for_mail(OWNER, lambda c: "No post of" in text_of(c))
        self.assert_auto_reply(unknown)
        # The right token, but from a member who is not a moderator.
        self.reply_to_notice(notice, "approve", sender=MEMBER)
        refused = self.wait_for_mail(MEMBER, lambda c: "can decide on held posts" in text_of(c))
        self.assert_auto_reply(refused)
        self.assertIn("still waiting", self.cqlist("held", "list", LIST)[1])
        self.assertFalse([c for c in self.sink.messages_for(MEMBER) if b"still waiting" in c
                          and b"[ham:" in c])

    def test_expired_moderation_code_decides_nothing(self):
        self.cqlist("list", "set", LIST, "moderation_code_lifetime=1s")
        self.addCleanup(self.cqlist, "list", "set", LIST, "--unset", "moderation_code_lifetime")
        notice, _ = self.hold_post(person("quinn"), "too late now")
        time.sleep(2.5)
        self.reply_to_notice(notice, "approve")
        expired = self.wait_for_mail(OWNER, lambda c: "has expired" in text_of(c)
                                     and b"too late now" in c)
        self.assert_auto_reply(expired)
        self.assertIn("cqlist held approve", text_of(expired))
        self.assertIn("too late now", self.cqlist("held", "list", LIST)[1])
        time.sleep(1)
        self.assertFalse([c for c in self.sink.messages_for(MEMBER) if b"too late now" in c])

    def test_two_moderators_approve_at_once_and_the_post_goes_out_once(self):
        subject = "decided twice"
        poster = person("pete")
        self.send(message(poster, MOD_LIST, subject), poster, MOD_LIST)
        notices = [self.mail_with_subject(m, f"held post: {subject}") for m in MODERATORS]
        self.assertEqual(header(notices[0], "Reply-To"), [MOD_REQUEST])
        reply_subject = "Re: " + str(parsed(notices[0])["Subject"])
        self.assertEqual(self.copies_with(OWNER, f"held post: {subject}"), [],
                         "with moderators, the owner is not asked")
        # Both reply at the same moment; Postfix hands both to cqlist.
        replies = [threading.Thread(target=self.command, args=(m, reply_subject, "approve\r\n"),
                                    kwargs={"to": MOD_REQUEST}) for m in MODERATORS]
        for thread in replies:
            thread.start()
        for thread in replies:
            thread.join()
        answers = sorted(text_of(self.mail_with_subject(m, reply_subject[:40]))
                         for m in MODERATORS)
        said = [("was approved and sent" in a, "was decided already (approved)" in a)
                for a in answers]
        self.assertEqual(sorted(said), [(False, True), (True, False)], answers)
        self.assertIn("nothing was changed", "".join(answers))
        receivers = [address for address, row in self.member_rows(MOD_LIST).items()
                     if row["receives"] == "yes"]
        self.assertEqual(sorted(receivers), sorted([*MODERATORS, MEMBER, OWNER]))
        for rcpt in receivers:
            self.wait_for_mail(rcpt, lambda c: b"[mod:" in c and subject.encode() in c)
        self.postfix.wait_until_queue_empty()
        time.sleep(1)
        for rcpt in receivers:
            copies = [c for c in self.copies_with(rcpt, subject) if b"[mod:" in c]
            self.assertEqual(len(copies), 1, rcpt)
        self.assertRegex(self.cqlist("held", "list", MOD_LIST, "--all")[1],
                         rf"approved.*\n.*\n\s+subject: {subject}")

    # --- RFC 3834 --------------------------------------------------------------------------

    def test_automatic_mail_gets_no_answer(self):
        robots = [person("autoreply"), person("daemon"), person("nullsender")]
        self.command(robots[0], "help", extra="Auto-Submitted: auto-replied\r\n")
        self.send(command_mail(robots[1], REQUEST, "help"), f"MAILER-DAEMON@{NONE_DOMAIN}",
                  REQUEST)
        self.send(command_mail(robots[2], REQUEST, "help"), "<>", REQUEST)
        # A person's help after them is answered, so the server did read its mail.
        human = person("human")
        self.command(human, "help")
        self.assert_auto_reply(self.mail_with_subject(human, "Re: help"))
        self.postfix.wait_until_queue_empty()
        deadline = time.monotonic() + 30
        while (self.log_text().count("event=commands.not_answered") < 3
               and time.monotonic() < deadline):
            time.sleep(0.1)
        log = self.log_text()
        self.assertIn("Auto-Submitted: auto-replied", log)
        self.assertIn("sent by MAILER-DAEMON", log)
        self.assertIn("null envelope sender", log)
        time.sleep(2)
        for robot in robots:
            self.assertEqual(self.sink.messages_for(robot), [], robot)

    # --- Japanese --------------------------------------------------------------------------

    def test_japanese_list_help_is_properly_encoded(self):
        kenji = person("kenji")
        self.command(kenji, "help", to=f"jam-request@{LIST_DOMAIN}")
        copy = self.mail_with_subject(kenji, "Re: help")
        self.assertTrue(copy.startswith(b"Return-Path: <>\r\n"))
        head = copy.split(b"\r\n\r\n", 1)[0]
        self.assertTrue(all(b < 0x80 for b in head), "raw 8-bit bytes in the header")
        body_part = parsed(copy).get_body(preferencelist=("plain",))
        self.assertIn(body_part.get_content_charset(), ("utf-8", "iso-2022-jp"))
        text = body_part.get_content()
        self.assertIn("この説明をお送りします", text)
        self.assertIn(f"jam-request@{LIST_DOMAIN}", text)
        # With 8-bit text, the transfer encoding keeps the body 7-bit (the signature survives).
        self.assertIn(body_part["Content-Transfer-Encoding"].lower(),
                      ("base64", "quoted-printable", "7bit"))

    def local_link(self, text, kind):
        """The jam list's web link of `kind` in text, pointed at cqlist's HTTP listener (the
        operator's TLS proxy does that mapping)."""
        link = re.search(rf"(https://lists\.cq-test\.example/jam/{kind}\?[^\s>]+)", text).group(1)
        return link.replace("https://lists.cq-test.example", f"http://127.0.0.1:{self.http_port}")

    def assert_japanese_page(self, response, page):
        self.assertEqual(response.headers["Content-Type"], "text/html; charset=utf-8")
        self.assertIn('<html lang="ja">', page)
        self.assertIn('<meta charset="utf-8">', page)
        self.assertNotIn('lang="en"', page)  # the list is known: Japanese only

    def assert_both_languages(self, error, japanese):
        """A page for a link that names no list: Japanese first, then English."""
        page = error.read().decode()
        self.assertEqual(error.headers["Content-Type"], "text/html; charset=utf-8")
        self.assertIn('<html lang="ja">', page)
        self.assertIn(japanese, page)
        english = page.index('<section lang="en">')
        self.assertIn("not valid", page[english:])
        self.assertLess(page.index(japanese), english)

    def test_japanese_list_confirmation_link_pages_are_in_japanese(self):
        jam_web = "https://lists.cq-test.example/jam/"
        self.cqlist("list", "set", JA_LIST, f"web_url={jam_web}")
        self.addCleanup(self.cqlist, "list", "set", JA_LIST, "--unset", "web_url")
        sato = person("sato")
        self.command(sato, "subscribe", to=f"jam-request@{LIST_DOMAIN}")
        copy = self.mail_with_subject(sato, "confirm ")
        self.assertIn("次のリンクを開いて確認", text_of(copy))
        link = self.local_link(text_of(copy), "confirm")
        with urllib.request.urlopen(link, timeout=5) as r:  # GET shows a button only
            page = r.read().decode()
            self.assert_japanese_page(r, page)
        self.assertIn("<title>登録の確認</title>", page)
        self.assertIn(f"{sato} を {JA_LIST} に登録しますか？", page)
        self.assertIn("<button>登録する</button>", page)
        self.assertNotIn(sato, self.members(JA_LIST))
        with urllib.request.urlopen(link, data=b"confirm=yes", timeout=5) as r:
            self.assertEqual(r.status, 200)
            page = r.read().decode()
            self.assert_japanese_page(r, page)
        self.assertIn(f"{sato} の {JA_LIST} への登録が完了しました。", page)
        self.assertIn(sato, self.members(JA_LIST))
        welcome = self.mail_with_subject(sato, "へようこそ")
        self.assertEqual(header(welcome, "X-Loop"), [f"jam-request@{LIST_DOMAIN}"])
        # The code is used up; it no longer names a list, so the page speaks both languages.
        with self.assertRaises(urllib.error.HTTPError) as used:
            urllib.request.urlopen(link, data=b"confirm=yes", timeout=5)
        self.assertEqual(used.exception.code, 400)
        self.assert_both_languages(used.exception, "この確認のリンクは無効です")

    def test_japanese_list_one_click_unsubscribe_pages_are_in_japanese(self):
        self.cqlist("list", "set", JA_LIST, "personalize=true",
                    "web_url=https://lists.cq-test.example/jam/")
        self.addCleanup(self.cqlist, "list", "set", JA_LIST, "personalize=false", "--unset",
                        "web_url")
        taro, hanako = person("taro"), person("hanako")
        self.cqlist("members", "add", JA_LIST, taro, hanako)
        self.send(message(taro, JA_LIST, "jam one-click"), taro, JA_LIST)
        copy = self.mail_with_subject(hanako, "jam one-click")
        self.assertEqual(header(copy, "List-Unsubscribe-Post"), ["List-Unsubscribe=One-Click"])
        link = self.local_link(header(copy, "List-Unsubscribe")[0], "unsubscribe")
        with urllib.request.urlopen(link, timeout=5) as r:  # GET shows a button only
            page = r.read().decode()
            self.assert_japanese_page(r, page)
        self.assertIn("<form method=post>", page)
        self.assertIn("<title>配信停止</title>", page)
        self.assertIn(f"{JA_LIST} の配信を停止し、{hanako} の登録を解除しますか？", page)
        self.assertIn("<button>配信停止する</button>", page)
        self.assertIn(hanako, self.members(JA_LIST))
        # Neither another method nor a forged token unsubscribes anybody.
        with self.assertRaises(urllib.error.HTTPError) as wrong_method:
            urllib.request.urlopen(urllib.request.Request(link, method="PUT"), timeout=5)
        self.assertEqual(wrong_method.exception.code, 405)
        self.assertIn("配信停止は POST で行います", wrong_method.exception.read().decode())
        forged = re.sub(r"token=[a-z2-7]+", "token=aaaaaaaaaaaaaaaa", link)
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, data=b"List-Unsubscribe=One-Click", timeout=5)
        self.assertEqual(refused.exception.code, 400)
        self.assert_both_languages(refused.exception, "この配信停止のリンクは無効です")
        self.assertIn(hanako, self.members(JA_LIST))
        with urllib.request.urlopen(link, data=b"List-Unsubscribe=One-Click", timeout=5) as r:
            self.assertEqual(r.status, 200)
            page = r.read().decode()
            self.assert_japanese_page(r, page)
        self.assertIn("<h1>配信を停止しました</h1>", page)
        self.assertIn(f"{JA_LIST} から {hanako} の登録を解除しました。", page)
        self.assertNotIn(hanako, self.members(JA_LIST))
        self.assertIn(taro, self.members(JA_LIST))


if __name__ == "__main__":
    main()

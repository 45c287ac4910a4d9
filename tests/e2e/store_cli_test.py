"""The commands that work on the store, run as an operator runs them: `cqlist list`,
`cqlist members`, `cqlist held` and `cqlist queue` (postfix_config_test.py has
`cqlist postfix-config`).

Every test gets its own data directory (--data-dir, no configuration file).
"""
import json
import os
import re
import shutil
import sqlite3
import tempfile
import time
import unittest

from harness import main, run_cqlist
from loopback_dns import LoopbackDns, txt

LIST = "ham@lists.example"


class DataDir:
    """A fresh data directory and the cqlist commands run against it."""

    def __init__(self, test):
        self.path = tempfile.mkdtemp(prefix="cqlist-store-cli-")
        test.addCleanup(shutil.rmtree, self.path, ignore_errors=True)

    def run(self, *args, stdin=None, check_exit=None):
        if isinstance(stdin, str):
            stdin = stdin.encode()
        return run_cqlist(*args, "--data-dir", self.path, stdin=stdin, check_exit=check_exit)

    def show(self, address=LIST):
        _, out, _ = self.run("list", "show", address, "--json", check_exit=0)
        return json.loads(out)

    def setting(self, name, address=LIST):
        for setting in self.show(address)["settings"]:
            if setting["name"] == name:
                return setting
        raise AssertionError(f"list show has no setting {name}")

    def export(self, fmt, address=LIST):
        _, out, _ = self.run("members", "export", address, "--format", fmt, check_exit=0)
        return out


class ListCommands(unittest.TestCase):
    def setUp(self):
        self.data = DataDir(self)

    def test_create_with_owner_and_settings_then_show(self):
        _, out, _ = self.data.run("list", "create", "ham@Lists.Example", "--owner",
                                  "Owner One <owner@Example.ORG>", "--set", "subject_tag=(:)",
                                  "--set", "language=ja", check_exit=0)
        self.assertIn("Created the list ham@lists.example", out)
        shown = self.data.show()
        self.assertEqual(shown["address"], LIST)
        self.assertEqual(shown["members"], 1)
        self.assertEqual(shown["last_article"], 0)
        self.assertRegex(shown["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        by_name = {s["name"]: s for s in shown["settings"]}
        self.assertEqual(by_name["subject_tag"]["value"], "(:)")
        self.assertFalse(by_name["subject_tag"]["default"])
        self.assertEqual(by_name["subject_tag"]["default_value"], "[:]")
        self.assertEqual(by_name["language"]["value"], "ja")
        self.assertTrue(by_name["posting"]["default"])
        self.assertEqual(by_name["posting"]["value"], "members")
        self.assertTrue(all(s["meaning"] for s in shown["settings"]))
        self.assertIn("non_member", by_name)
        _, members, _ = self.data.run("members", "list", LIST, "--role", "owner", check_exit=0)
        self.assertEqual(members, "Owner One <owner@example.org>\n")

    def test_show_for_people_marks_defaults_and_explains_each_setting(self):
        self.data.run("list", "create", LIST, "--set", "tag_width=3", check_exit=0)
        _, out, _ = self.data.run("list", "show", LIST, check_exit=0)
        self.assertIn("list          ham@lists.example", out)
        self.assertIn("tag_width = 3  (default: 5)", out)
        self.assertIn("posting = members  (default)", out)
        self.assertIn("Who may post", out)

    def test_set_changes_and_unset_restores_the_default(self):
        self.data.run("list", "create", LIST, check_exit=0)
        _, out, _ = self.data.run("list", "set", LIST, "posting=Moderated", "fml_headers=yes",
                                  check_exit=0)
        self.assertIn("posting = moderated (was members (default))", out)
        self.assertEqual(self.data.setting("posting")["value"], "moderated")
        self.assertEqual(self.data.setting("fml_headers")["value"], "true")
        self.data.run("list", "set", LIST, "--unset", "posting", check_exit=0)
        self.assertTrue(self.data.setting("posting")["default"])
        self.assertEqual(self.data.setting("fml_headers")["value"], "true")

    def test_unknown_setting_is_a_usage_error_with_a_suggestion(self):
        self.data.run("list", "create", LIST, check_exit=0)
        code, _, err = self.data.run("list", "set", LIST, "subjet_tag=[,]", "language=ja")
        self.assertEqual(code, 64)
        self.assertIn('did you mean "subject_tag"', err)
        # Nothing of the command was applied.
        self.assertEqual(self.data.setting("language")["value"], "en")
        code, _, err = self.data.run("list", "set", LIST, "--unset", "langauge")
        self.assertEqual(code, 64)
        self.assertIn('did you mean "language"', err)

    def test_bad_value_names_what_is_allowed(self):
        self.data.run("list", "create", LIST, check_exit=0)
        code, _, err = self.data.run("list", "set", LIST, "non_member=bounce")
        self.assertEqual(code, 64)
        self.assertIn("hold", err)
        self.assertIn("discard", err)
        code, _, err = self.data.run("list", "set", LIST, "posting")
        self.assertEqual(code, 64)
        self.assertIn("KEY=VALUE", err)

    def test_create_with_a_bad_setting_creates_nothing(self):
        code, _, err = self.data.run("list", "create", LIST, "--set", "tag_width=99")
        self.assertEqual(code, 64)
        self.assertIn("tag_width", err)
        code, _, err = self.data.run("list", "show", LIST)
        self.assertEqual(code, 66)
        self.assertIn("cqlist list create", err)

    def test_create_twice_and_clashing_names_are_refused(self):
        self.data.run("list", "create", LIST, check_exit=0)
        code, _, err = self.data.run("list", "create", "HAM@lists.example")
        self.assertEqual(code, 64)
        self.assertIn("exists already", err)
        code, _, err = self.data.run("list", "create", "ham-request@lists.example")
        self.assertEqual(code, 64)
        self.assertIn("-request", err)
        code, _, err = self.data.run("list", "create", "bad+name@lists.example")
        self.assertEqual(code, 64)
        self.assertIn("'+'", err)
        # Another domain may have its own ham-request list.
        self.data.run("list", "create", "ham-request@other.example", check_exit=0)

    def test_internationalised_domain_is_kept_in_a_labels_and_found_either_way(self):
        _, out, _ = self.data.run("list", "create", "ham@例え.テスト", check_exit=0)
        self.assertIn("ham@xn--r8jz45g.xn--zckzah", out)
        self.assertEqual(self.data.show("ham@例え.テスト")["address"],
                         "ham@xn--r8jz45g.xn--zckzah")
        self.assertEqual(self.data.show("ham@XN--R8JZ45G.xn--zckzah")["members"], 0)

    def test_delete_requires_yes(self):
        self.data.run("list", "create", LIST, "--owner", "owner@example.org", check_exit=0)
        code, _, err = self.data.run("list", "delete", LIST)
        self.assertEqual(code, 64)
        self.assertIn("--yes", err)
        self.assertIn("1 members", err)
        self.assertEqual(self.data.show()["members"], 1)
        _, out, _ = self.data.run("list", "delete", LIST, "--yes", check_exit=0)
        self.assertIn("Deleted the list ham@lists.example", out)
        code, _, _ = self.data.run("list", "show", LIST)
        self.assertEqual(code, 66)

    def test_ls_prints_every_list(self):
        self.data.run("list", "create", LIST, "--set", "description=Ham radio club",
                      check_exit=0)
        self.data.run("list", "create", "spam@lists.example", check_exit=0)
        self.data.run("members", "add", "spam@lists.example", "a@example.org", "b@example.org",
                      check_exit=0)
        _, out, _ = self.data.run("list", "ls", check_exit=0)
        lines = out.splitlines()
        self.assertEqual(len(lines), 2)
        self.assertRegex(lines[0],
                         r"^ham@lists\.example\s+0 members\s+0 articles\s+Ham radio club$")
        self.assertRegex(lines[1], r"^spam@lists\.example\s+2 members")

    def test_help_list_documents_every_setting(self):
        _, out, _ = run_cqlist("help", "list", check_exit=0)
        for name in ("subject_tag", "non_member", "from_rewrite", "batch_size"):
            self.assertIn(name, out)
        self.assertIn("(default: [:])", out)


CSV_INPUT = (
    "address,name,role,mode,receives,may_post\r\n"
    'yamada@example.jp,"山田, 太郎",owner,regular,yes,yes\r\n'
    '"quote@example.org","Say ""hi"" <there>",moderator,digest,no,yes\r\n'
    "plain@example.org,,member,nomail,yes,no\r\n"
    "Tanaka@例え.テスト,田中 花子,member,regular,yes,yes\r\n"
    'multi@example.org,"two\r\nlines",member,regular,yes,yes\r\n')

CSV_EXPORTED = (
    "address,name,role,mode,receives,may_post\n"
    'multi@example.org,"two\r\nlines",member,regular,yes,yes\n'
    "plain@example.org,,member,nomail,yes,no\n"
    'quote@example.org,"Say ""hi"" <there>",moderator,digest,no,yes\n'
    "Tanaka@xn--r8jz45g.xn--zckzah,田中 花子,member,regular,yes,yes\n"
    'yamada@example.jp,"山田, 太郎",owner,regular,yes,yes\n')


class MembersCommands(unittest.TestCase):
    def setUp(self):
        self.data = DataDir(self)
        self.data.run("list", "create", LIST, check_exit=0)

    def test_add_normalises_the_domain_and_keeps_the_local_part(self):
        _, out, _ = self.data.run("members", "add", LIST, "Alice <Alice@Example.ORG>",
                                  "bob@例え.テスト", check_exit=0)
        self.assertIn("Alice@example.org: added to ham@lists.example as member", out)
        _, out, _ = self.data.run("members", "add", LIST, "Alice@EXAMPLE.org", check_exit=0)
        self.assertIn("already a member", out)
        _, listed, _ = self.data.run("members", "list", LIST, check_exit=0)
        self.assertEqual(listed, "Alice <Alice@example.org>\nbob@xn--r8jz45g.xn--zckzah\n")

    def test_add_with_role_mode_posting_only_and_name(self):
        self.data.run("members", "add", LIST, "yamada@example.jp", "--role", "moderator",
                      "--mode", "digest", "--post-only", "--name", "山田 太郎", check_exit=0)
        self.data.run("members", "add", LIST, "other@example.org", check_exit=0)
        self.assertEqual(self.data.export("csv"),
                         "address,name,role,mode,receives,may_post\n"
                         "other@example.org,,member,regular,yes,yes\n"
                         "yamada@example.jp,山田 太郎,moderator,digest,no,yes\n")
        _, out, _ = self.data.run("members", "list", LIST, "--role", "moderator", check_exit=0)
        self.assertEqual(out, "山田 太郎 <yamada@example.jp>\n")

    def test_a_bad_address_adds_nothing(self):
        code, _, err = self.data.run("members", "add", LIST, "good@example.org", "not-an-address")
        self.assertEqual(code, 64)
        self.assertIn("'not-an-address' is not an address", err)
        self.assertEqual(self.data.show()["members"], 0)
        code, _, err = self.data.run("members", "add", LIST, "a@example.org", "b@example.org",
                                     "--name", "Someone")
        self.assertEqual(code, 64)
        self.assertIn("--name", err)

    def test_remove(self):
        self.data.run("members", "add", LIST, "a@example.org", "b@example.org", check_exit=0)
        _, out, _ = self.data.run("members", "remove", LIST, "A <a@EXAMPLE.org>", check_exit=0)
        self.assertIn("a@example.org: removed", out)
        code, _, err = self.data.run("members", "remove", LIST, "a@example.org")
        self.assertEqual(code, 66)
        self.assertIn("a@example.org is not a member of ham@lists.example", err)
        self.assertEqual(self.data.export("lines"), "b@example.org\n")

    def test_members_of_an_unknown_list(self):
        code, _, err = self.data.run("members", "list", "nope@lists.example")
        self.assertEqual(code, 66)
        self.assertIn("cqlist list create nope@lists.example", err)

    def test_csv_import_export_round_trip_with_quotes_and_japanese_names(self):
        _, out, _ = self.data.run("members", "import", LIST, "-", "--format", "csv",
                                  stdin=CSV_INPUT, check_exit=0)
        self.assertIn("ham@lists.example: 5 added, 0 already present", out)
        exported = self.data.export("csv")
        self.assertEqual(exported, CSV_EXPORTED)
        # What export writes, import reads back to the same members.
        self.data.run("list", "create", "copy@lists.example", check_exit=0)
        path = os.path.join(self.data.path, "members.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(exported)
        self.data.run("members", "import", "copy@lists.example", path, check_exit=0)
        self.assertEqual(self.data.export("csv", "copy@lists.example"), exported)

    def test_lines_export_reads_back_the_same(self):
        self.data.run("members", "import", LIST, "-", "--format", "csv", stdin=CSV_INPUT,
                      check_exit=0)
        lines = self.data.export("lines")
        self.assertEqual(lines,
                         "two lines <multi@example.org>\n"
                         "plain@example.org\n"
                         '"Say \\"hi\\" <there>" <quote@example.org>\n'
                         "田中 花子 <Tanaka@xn--r8jz45g.xn--zckzah>\n"
                         '"山田, 太郎" <yamada@example.jp>\n')
        self.data.run("list", "create", "copy@lists.example", check_exit=0)
        _, out, _ = self.data.run("members", "import", "copy@lists.example", "-", stdin=lines,
                                  check_exit=0)
        self.assertIn("5 added", out)
        self.assertEqual(self.data.export("lines", "copy@lists.example"), lines)

    def test_lines_import_skips_comments_and_counts_what_was_there(self):
        text = ("# fml actives\n\nalice@example.org\n  Bob <bob@example.org>  \n"
                "alice@example.org\n")
        _, out, _ = self.data.run("members", "import", LIST, "-", stdin=text, check_exit=0)
        self.assertIn("2 added, 0 already present, 1 repeated in the file", out)
        _, out, _ = self.data.run("members", "import", LIST, "-", stdin="bob@example.org\n"
                                  "carol@example.org\n", check_exit=0)
        self.assertIn("1 added, 1 already present", out)
        self.assertEqual(self.data.export("lines"),
                         "alice@example.org\nBob <bob@example.org>\ncarol@example.org\n")

    def test_a_bad_line_refuses_the_whole_import(self):
        text = ("address,name,role\n"
                "good@example.org,Good,member\n"
                "bad-address,Bad,member\n"
                "other@example.org,Other,boss\n")
        code, out, err = self.data.run("members", "import", LIST, "-", "--format", "csv",
                                       stdin=text)
        self.assertEqual(code, 65)
        self.assertIn("standard input line 3: 'bad-address' is not an address", err)
        self.assertIn('standard input line 4: role "boss"', err)
        self.assertIn("nothing imported: 2 bad lines", err)
        self.assertEqual(self.data.show()["members"], 0)
        _, out, err = self.data.run("members", "import", LIST, "-", "--format", "csv",
                                    "--skip-bad", stdin=text, check_exit=0)
        self.assertIn("1 added, 0 already present, 2 bad lines skipped", out)
        self.assertIn("line 3", err)
        self.assertEqual(self.data.export("lines"), "Good <good@example.org>\n")

    def test_csv_problems_are_reported_with_their_lines(self):
        code, _, err = self.data.run("members", "import", LIST, "-", "--format", "csv",
                                     stdin="address,name\nok@example.org,x\n"
                                           '"open@example.org,never closed\nx@example.org,y\n')
        self.assertEqual(code, 65)
        self.assertIn("line 3: a quoted field starts here and is never closed", err)
        code, _, err = self.data.run("members", "import", LIST, "-", "--format", "csv",
                                     stdin="email,name\nok@example.org,x\n")
        self.assertEqual(code, 65)
        self.assertIn('line 1: unknown column "email"', err)
        code, _, err = self.data.run("members", "import", LIST, "-", "--format", "csv",
                                     stdin="address\na@example.org,extra\n")
        self.assertEqual(code, 65)
        self.assertIn("line 2: 2 fields, but the header names 1 columns", err)
        self.assertEqual(self.data.show()["members"], 0)

    def test_a_csv_file_name_picks_the_csv_format(self):
        path = os.path.join(self.data.path, "members.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\ufeffaddress,role\nboss@example.org,owner\n")  # a spreadsheet's BOM
        self.data.run("members", "import", LIST, path, check_exit=0)
        _, out, _ = self.data.run("members", "list", LIST, "--role", "owner", check_exit=0)
        self.assertEqual(out, "boss@example.org\n")

    def test_export_of_a_big_list_pages_through_all_members(self):
        count = 2345
        text = "".join(f"user{i:05d}@example.org\n" for i in range(count))
        _, out, _ = self.data.run("members", "import", LIST, "-", stdin=text, check_exit=0)
        self.assertIn(f"{count} added", out)
        exported = self.data.export("lines").splitlines()
        self.assertEqual(exported, [f"user{i:05d}@example.org" for i in range(count)])
        self.assertEqual(self.data.show()["members"], count)


POSTER_RECORDS = {
    "poster.test": [txt("v=spf1 ip4:192.0.2.10 -all")],
    "_dmarc.poster.test": [txt("v=DMARC1; p=none")],
}


def post(subject, message_id):
    return (f"From: Stranger <stranger@poster.test>\r\nTo: {LIST}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{message_id}>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0900\r\n\r\n"
            "A post from someone who is not a member.\r\n")


class HeldAndQueue(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dns = LoopbackDns(POSTER_RECORDS, zones=["test"]).start()
        cls.addClassCleanup(cls.dns.stop)

    def setUp(self):
        self.data = DataDir(self)
        self.data.run("list", "create", LIST, "--owner", "owner@lists.example", check_exit=0)
        self.data.run("members", "add", LIST, "member@members.test", check_exit=0)
        self.data.run("members", "add", LIST, "digest@members.test", "--mode", "digest",
                      check_exit=0)

    def inject(self, subject, message_id):
        return self.data.run("inject", LIST, "--mail-from", "stranger@poster.test",
                             "--client-ip", "192.0.2.10", "--helo", "mx.poster.test",
                             "--resolver", self.dns.address, stdin=post(subject, message_id))

    def queue(self):
        _, out, _ = self.data.run("queue", "--json", check_exit=0)
        return json.loads(out)

    def held_ids(self):
        _, out, _ = self.data.run("held", "list", LIST, check_exit=0)
        return [int(m) for m in re.findall(r"(?m)^(\d+)  ", out)]

    def test_a_non_member_post_is_held_shown_and_approved(self):
        code, out, err = self.inject("hello list", "h.1@poster.test")
        self.assertEqual(code, 0, err)
        self.assertIn("held", out)
        _, listed, _ = self.data.run("held", "list", LIST, check_exit=0)
        self.assertIn("from:    stranger@poster.test", listed)
        self.assertIn("subject: hello list", listed)
        self.assertIn("not a member", listed)
        held_id, = self.held_ids()
        _, shown, _ = self.data.run("held", "show", str(held_id), check_exit=0)
        self.assertIn("Subject: hello list\r\n", shown)
        self.assertIn("A post from someone who is not a member.", shown)
        before = self.queue()
        self.assertEqual((before["jobs"], before["held_posts"]), ([], 1))

        _, out, _ = self.data.run("held", "approve", str(held_id), "--resolver",
                                  self.dns.address, check_exit=0)
        self.assertIn(f"Approved held post {held_id} from stranger@poster.test: article 1", out)
        after = self.queue()
        self.assertEqual(after["held_posts"], 0)
        job, = after["jobs"]
        self.assertEqual((job["list"], job["article"], job["attempts"]), (LIST, 1, 0))
        # The owner and the regular member; the digest member is not in the fan-out.
        self.assertEqual(job["recipients"], 2)
        self.assertEqual(self.data.show()["last_article"], 1)
        self.assertEqual(self.held_ids(), [])
        _, text, _ = self.data.run("queue", LIST, check_exit=0)
        self.assertRegex(text, r"(?m)^\s+\d+\s+ham@lists\.example\s+1\s+2\s+0\s+now")
        self.assertIn("\n-- 1 job, 2 recipients waiting.\n", text)
        self.assertIsNone(job["digest"])

        # The digest member's issue is queued as a digest, not as a strange article number.
        self.data.run("digest", "send", LIST, "--force", check_exit=0)
        digest_job, = [j for j in self.queue()["jobs"] if j["digest"] is not None]
        self.assertEqual((digest_job["digest"], digest_job["article"], digest_job["recipients"]),
                         (1, None, 1))
        _, text, _ = self.data.run("queue", LIST, check_exit=0)
        self.assertRegex(text, r"(?m)^\s+\d+\s+ham@lists\.example\s+digest 1\s+1\s+0\s+now")

        code, _, err = self.data.run("held", "approve", str(held_id), "--resolver",
                                     self.dns.address)
        self.assertEqual(code, 64)
        self.assertIn("was approved already", err)

    def test_reject_tells_the_poster_and_discard_drops(self):
        self.assertEqual(self.inject("first", "h.2@poster.test")[0], 0)
        self.assertEqual(self.inject("second", "h.3@poster.test")[0], 0)
        first, second = self.held_ids()
        outbox = self.queue()["outbox"]  # the hold notices to the owner
        _, out, _ = self.data.run("held", "reject", str(first), "--reason", "off topic",
                                  check_exit=0)
        self.assertIn(f"Rejected held post {first}", out)
        self.assertEqual(self.queue()["outbox"], outbox + 1)
        _, out, _ = self.data.run("held", "discard", str(second), check_exit=0)
        self.assertIn(f"Discarded held post {second}", out)
        state = self.queue()
        self.assertEqual((state["outbox"], state["held_posts"], state["jobs"]),
                         (outbox + 1, 0, []))
        code, _, err = self.data.run("held", "show", str(second))
        self.assertEqual(code, 66)
        self.assertIn("discarded", err)
        _, listed, _ = self.data.run("held", "list", LIST, "--all", check_exit=0)
        self.assertIn(f"{first}  ", listed)
        self.assertIn("rejected", listed)
        self.assertIn("discarded", listed)

    def test_personal_copies_are_queued_in_jobs_a_worker_each(self):
        lines = "".join(f"m{i:03}@many.test\n" for i in range(250))
        self.data.run("members", "import", LIST, "-", stdin=lines, check_exit=0)

        def fan_out(subject, message_id):
            self.assertEqual(self.inject(subject, message_id)[0], 0)
            held_id = max(self.held_ids())
            self.data.run("held", "approve", str(held_id), "--resolver", self.dns.address,
                          check_exit=0)
            article = self.data.show()["last_article"]
            return sorted(job["recipients"] for job in self.queue()["jobs"]
                          if job["article"] == article)

        # The owner, the regular member and 250 more: one transaction (batch_size 500).
        self.assertEqual(fan_out("shared copy", "p.1@poster.test"), [252])
        # A copy of each member's own is signed on its own: jobs of 100, one worker's each.
        self.data.run("list", "set", LIST, "personalize=true",
                      "web_url=https://lists.example/ham/", check_exit=0)
        self.assertEqual(fan_out("own copies", "p.2@poster.test"), [52, 100, 100])
        _, text, _ = self.data.run("queue", LIST, check_exit=0)
        self.assertIn("\n-- 4 jobs, 504 recipients waiting.\n", text)

    def test_expire_discards_a_post_older_than_held_expiry(self):
        self.data.run("list", "set", LIST, "held_expiry=1s", check_exit=0)
        self.assertEqual(self.inject("stale offer", "h.5@poster.test")[0], 0)
        held_id, = self.held_ids()
        outbox = self.queue()["outbox"]  # the hold notice to the owner
        time.sleep(2.2)

        _, out, _ = self.data.run("held", "expire", "--list", LIST, check_exit=0)
        self.assertRegex(out, re.escape(f"Discarded held post {held_id} of {LIST} from "
                                        'stranger@poster.test ("stale offer"): it waited ')
                         + r"[23] seconds, longer than the list's held_expiry")
        self.assertEqual(self.held_ids(), [])
        _, listed, _ = self.data.run("held", "list", LIST, "--all", check_exit=0)
        self.assertRegex(listed, rf"(?m)^{held_id}  .*  discarded$")
        state = self.queue()
        # Nothing went to the poster (perhaps forged), and no reminder for a post this fresh.
        self.assertEqual((state["outbox"], state["held_posts"]), (outbox, 0))

        _, out, _ = self.data.run("held", "expire", check_exit=0)
        self.assertEqual(out, "No held post has expired and no reminder is due.\n")
        _, helped, _ = run_cqlist("help", "held", check_exit=0)
        self.assertIn("expire", helped)

    def test_moderators_are_reminded_once_a_day_of_a_post_that_waited_a_day(self):
        self.assertEqual(self.inject("still waiting", "h.6@poster.test")[0], 0)
        held_id, = self.held_ids()
        _, out, _ = self.data.run("held", "expire", "--list", LIST, check_exit=0)
        self.assertEqual(out, "No held post has expired and no reminder is due.\n",
                         "the hold notice has just told the owner")
        # Two days pass for the held post: its time is moved back in the store itself.
        with sqlite3.connect(os.path.join(self.data.path, "cqlist.db")) as db:
            db.execute("UPDATE held SET held_at = held_at - 2 * 86400 WHERE id = ?", (held_id,))
        outbox = set(os.listdir(os.path.join(self.data.path, "outbox")))

        _, out, _ = self.data.run("held", "expire", check_exit=0)
        self.assertEqual(out, f"Reminded owner@lists.example of {LIST}: 1 held post waiting "
                              "(queued; `cqlist deliver` sends it when `cqlist serve` is not "
                              "running).\n")
        new, = set(os.listdir(os.path.join(self.data.path, "outbox"))) - outbox
        with open(os.path.join(self.data.path, "outbox", new), encoding="utf-8") as f:
            reminder = f.read()
        envelope, message = reminder.split("\n\n", 1)
        self.assertIn("\nmail_from=\n", envelope + "\n")
        self.assertIn("\nrecipients=owner@lists.example\\n", envelope)
        self.assertIn(f"Subject: [ham] 1 post is waiting for moderation on {LIST}", message)
        self.assertIn("Auto-Submitted: auto-generated", message)
        self.assertRegex(message, rf"\[{held_id}\] still waiting\n +From: +stranger@poster.test"
                                  r"\n +Held since: ")
        self.assertEqual(self.held_ids(), [held_id], "a reminder decides nothing")

        _, out, _ = self.data.run("held", "expire", check_exit=0)
        self.assertEqual(out, "No held post has expired and no reminder is due.\n",
                         "one reminder a day")
        self.data.run("list", "set", LIST, "held_expiry=1d", check_exit=0)
        _, out, _ = self.data.run("held", "expire", check_exit=0)
        self.assertIn(f"Discarded held post {held_id} of {LIST}", out)
        self.assertIn("it waited 2 days", out)

    def test_unknown_held_post(self):
        code, _, err = self.data.run("held", "approve", "999", "--resolver", self.dns.address)
        self.assertEqual(code, 66)
        self.assertIn("there is no held post 999", err)

    def test_delete_removes_the_held_posts_too(self):
        self.assertEqual(self.inject("doomed", "h.4@poster.test")[0], 0)
        self.assertEqual(self.queue()["held_posts"], 1)
        code, _, err = self.data.run("list", "delete", LIST)
        self.assertEqual(code, 64)
        self.assertIn("1 held posts", err)
        self.data.run("list", "delete", LIST, "--yes", check_exit=0)
        self.assertEqual(self.queue()["held_posts"], 0)


if __name__ == "__main__":
    main()

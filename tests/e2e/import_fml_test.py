"""`cqlist import-fml`, run as an operator runs it, on the shared fml4 fixture.

The imported list is read back through `cqlist list show`, `cqlist members export` and the
archive files, and compared field by field with the fixture's expected-import.json; a post
through `cqlist inject` then continues fml's numbering with fml's subject tag. Broken copies of
the fixture must each fail naming the file and line, with the store left unchanged.
"""
import csv
import io
import json
import os
import re
import shutil
import stat
import tempfile
import unittest

from harness import Env, main, run_cqlist
from loopback_dns import LoopbackDns, txt

LIST = "cq-test@example.org"


def fixture_dir():
    return os.path.join(Env.shared, "fml-fixture", "ml", "cq-test")


def expected():
    with open(os.path.join(Env.shared, "fml-fixture", "expected-import.json"),
              encoding="utf-8") as f:
        return json.load(f)


class DataDir:
    def __init__(self, test):
        self.path = tempfile.mkdtemp(prefix="cqlist-import-fml-")
        test.addCleanup(shutil.rmtree, self.path, ignore_errors=True)

    def run(self, *args, stdin=None, check_exit=None):
        return run_cqlist(*args, "--data-dir", self.path, stdin=stdin, check_exit=check_exit)

    def lists(self):
        _, out, _ = self.run("list", "ls", check_exit=0)
        return out.split()

    def archive_files(self):
        root = os.path.join(self.path, "archive")
        found = []
        for base, _, files in os.walk(root):
            found += [os.path.join(base, f) for f in files]
        return found


def writable_copy(test):
    target = os.path.join(tempfile.mkdtemp(prefix="cqlist-fml-copy-"), "cq-test")
    test.addCleanup(shutil.rmtree, os.path.dirname(target), ignore_errors=True)
    shutil.copytree(fixture_dir(), target)
    for base, dirs, files in os.walk(target):
        for name in dirs + files + ["."]:
            path = os.path.join(base, name)
            os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR)
    return target


class ImportOfTheFixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # SPF for the members' domain, so that a member's post passes the authenticity check.
        cls.dns = LoopbackDns({"example.org": [txt("v=spf1 ip4:192.0.2.10 -all")],
                               "_dmarc.example.org": [txt("v=DMARC1; p=none")]},
                              zones=["example.org"]).start()
        cls.addClassCleanup(cls.dns.stop)

    def setUp(self):
        self.data = DataDir(self)
        self.want = expected()

    def import_list(self):
        return self.data.run("import-fml", fixture_dir(), check_exit=0)

    def members(self):
        _, out, _ = self.data.run("members", "export", LIST, "--format", "csv", check_exit=0)
        rows = list(csv.reader(io.StringIO(out)))
        if rows and rows[0][0] == "address":
            rows = rows[1:]
        return {row[0].lower(): row for row in rows}

    def test_dry_run_json_shows_the_plan_and_changes_nothing(self):
        _, out, err = self.data.run("import-fml", fixture_dir(), "--dry-run", "--json",
                                    check_exit=0)
        plan = json.loads(out)
        self.assertIn("nothing was changed", err)
        self.assertEqual(plan["list"], self.want["list"]["post_address"])
        self.assertEqual(plan["fml_home"], self.want["list"]["fml_home"])
        self.assertEqual(plan["maintainer"], self.want["list"]["maintainer"])
        self.assertEqual(plan["sequence"], self.want["sequence"])
        self.assertEqual([a["id"] for a in plan["articles"]],
                         [a["id"] for a in self.want["articles"]])
        for got, want in zip(plan["articles"], self.want["articles"]):
            self.assertEqual(f"<{got['message_id']}>", want["message_id"])
            self.assertEqual(got["from"].lower(), want["from"])
            self.assertEqual(got["subject"],
                             want.get("subject_stored", want.get("subject_decoded")))
        self.assertEqual(sorted(plan["message_ids"]), sorted(self.want["message_id_cache"]))
        self.assertEqual({a["name"]: a["target"] for a in plan["aliases"]}, self.want["aliases"])
        not_imported = {n["what"] for n in plan["not_imported"]}
        for hook in self.want["list"]["unsupported_perl_hooks"]:
            self.assertIn(f"${hook}", not_imported)
        self.assertIn("spamlist", not_imported)
        for member in plan["members"]:
            want, = [m for m in self.want["members"]
                     if m["address"].lower() == member["address"].lower()]
            self.assertEqual(member["delivery"], want["delivery"], member["address"])
            self.assertEqual(member["can_post"], want["can_post"], member["address"])
            if "digest_params" in want:
                self.assertEqual(member["digest_params"], want["digest_params"])
                self.assertEqual(member["digest_next_article"], want["digest_next_article"])
        self.assertEqual(self.data.lists(), [])
        self.assertEqual(self.data.archive_files(), [])

    def test_import_yields_the_expected_list_members_and_archive(self):
        _, out, _ = self.import_list()
        self.assertIn(f"cqlist postfix-config {LIST}", out)
        for name, target in self.want["aliases"].items():
            self.assertIn(f"{name}: {target}", out)
        archive_dir = re.search(r"\(archive (\S+)\)", out).group(1)

        _, shown, _ = self.data.run("list", "show", LIST, "--json", check_exit=0)
        shown = json.loads(shown)
        settings = {s["name"]: s["value"] for s in shown["settings"]}
        want_list = self.want["list"]
        self.assertEqual(shown["address"], want_list["post_address"])
        self.assertEqual(shown["last_article"], self.want["sequence"]["last_article"])
        self.assertEqual(settings["subject_tag"], want_list["subject_tag_type"])
        self.assertIn(settings["tag_name"], ("", want_list["bracket"]))
        self.assertEqual(int(settings["tag_width"]), want_list["subject_id_width"])
        self.assertEqual(settings["fml_headers"], "true")
        self.assertEqual(settings["reply_to"], "list")
        self.assertEqual(int(settings["max_message_bytes"]),
                         want_list["incoming_mail_size_limit_bytes"])
        self.assertEqual(settings["posting"], "members")
        self.assertEqual(settings["non_member"], want_list["reject_post_handler"])
        self.assertEqual(settings["members_command_public"], "false")
        self.assertEqual(settings["language"], "ja")

        members = self.members()
        admins = {a["address"] for a in self.want["admins"]}
        for want in self.want["members"]:
            key = want["address"].lower()
            if want.get("unsubscribed"):
                self.assertNotIn(key, members)
                continue
            address, _name, role, mode, receives, may_post = members[key]
            local, domain = want["address"].rsplit("@", 1)
            self.assertEqual(address, f"{local}@{domain.lower()}")  # local part as fml kept it
            self.assertEqual(may_post == "yes", want["can_post"], key)
            self.assertEqual(receives == "yes", want["delivery"] in ("realtime", "off", "digest"),
                             key)
            self.assertEqual(mode, {"realtime": "regular", "off": "nomail", "digest": "digest",
                                    "skip": "regular", "none": "regular"}[want["delivery"]], key)
            self.assertEqual(role, "owner" if want["address"] in admins else
                             "moderator" if want["address"] in self.want["moderators"] else
                             "member", key)
        realtime = sorted(row[0] for row in members.values()
                          if row[3] == "regular" and row[4] == "yes")
        self.assertEqual([r.lower() for r in realtime],
                         sorted(r.lower() for r in self.want["realtime_recipients"]))

        for article in self.want["articles"]:
            with open(os.path.join(fixture_dir(), "spool", str(article["id"])), "rb") as f:
                original = f.read()
            with open(os.path.join(archive_dir, f"{article['id']:05d}.eml"), "rb") as f:
                self.assertEqual(f.read(), original)

        code, _, err = self.data.run("import-fml", fixture_dir())
        self.assertNotEqual(code, 0)
        self.assertIn("exists already", err)
        self.assertEqual(len(self.members()), len(members))

        post = ("From: jh1abc@example.org\r\nTo: cq-test@example.org\r\n"
                "Subject: Re: [cq-test:00002] Re: QSO party schedule\r\n"
                "Message-ID: <after-import@pc.example.org>\r\n"
                "Date: Sat, 28 Nov 2026 10:00:00 +0900\r\n\r\n73!\r\n").encode()
        _, out, err = self.data.run("inject", LIST, "--mail-from", "jh1abc@example.org",
                                    "--client-ip", "192.0.2.10", "--helo", "pc.example.org",
                                    "--resolver", self.dns.address, stdin=post, check_exit=0)
        next_article = self.want["sequence"]["next_article"]
        with open(os.path.join(archive_dir, f"{next_article:05d}.eml"), "rb") as f:
            article = f.read().decode("utf-8", errors="replace")
        tag = self.want["list"]["next_subject_tag"]
        self.assertRegex(article, rf"(?m)^Subject: {re.escape(tag)} Re: QSO party schedule\r?$")
        self.assertRegex(article, rf"(?m)^X-Mail-Count: {next_article:05d}\r?$")
        self.assertRegex(article, r"(?m)^X-ML-Name: cq-test\r?$")
        _, shown, _ = self.data.run("list", "show", LIST, "--json", check_exit=0)
        self.assertEqual(json.loads(shown)["last_article"], next_article)

        # fml's Message-ID cache came along: article 1 sent again is a loop, not a post.
        with open(os.path.join(fixture_dir(), "spool", "1"), "rb") as f:
            replay = f.read()
        code, _, _ = self.data.run("inject", LIST, "--mail-from", "jh1abc@example.org",
                                   "--client-ip", "192.0.2.10", "--helo", "pc.example.org",
                                   "--resolver", self.dns.address, stdin=replay)
        _, shown, _ = self.data.run("list", "show", LIST, "--json", check_exit=0)
        self.assertEqual(json.loads(shown)["last_article"], next_article)


class BadInput(unittest.TestCase):
    def setUp(self):
        self.data = DataDir(self)

    def refused(self, source, *names):
        code, out, err = self.data.run("import-fml", source)
        self.assertNotEqual(code, 0, out)
        for name in names:
            self.assertIn(name, err)
        self.assertIn("nothing was imported", err)
        self.assertEqual(self.data.lists(), [])
        self.assertEqual(self.data.archive_files(), [])
        return err

    def test_missing_members_file(self):
        source = writable_copy(self)
        os.remove(os.path.join(source, "members"))
        self.refused(source, os.path.join(source, "members"))

    def test_unreadable_actives_file(self):
        source = writable_copy(self)
        actives = os.path.join(source, "actives")
        if os.geteuid() == 0:
            # root reads any file; a directory where the file should be cannot be read either.
            os.remove(actives)
            os.mkdir(actives)
        else:
            os.chmod(actives, 0)
        self.refused(source, actives)

    def test_config_ph_that_perl_cannot_evaluate(self):
        source = writable_copy(self)
        with open(os.path.join(source, "config.ph"), "a", encoding="ascii") as f:
            f.write('$BROKEN = "no end;\n')
        self.refused(source, "config.ph line")

    def test_garbage_line_in_members(self):
        source = writable_copy(self)
        members = os.path.join(source, "members")
        with open(members, encoding="ascii") as f:
            garbage_line = len(f.read().splitlines()) + 2  # after one blank line
        with open(members, "a", encoding="ascii") as f:
            f.write("\nplease add me to the list\n")
        self.refused(source, f"{members} line {garbage_line}")

    def test_spool_with_a_gap(self):
        source = writable_copy(self)
        os.remove(os.path.join(source, "spool", "2"))
        self.refused(source, os.path.join(source, "spool", "2"))


if __name__ == "__main__":
    main()

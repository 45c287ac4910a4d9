"""An imported fml list in the real mail system: the shared fml4 fixture is imported with
`cqlist import-fml`, then posts and `get` commands go swaks -> private Postfix -> LMTP ->
cqlist serve, and what cqlist sends goes through Postfix to the strict sink (list_env.py).

What must hold after the move (issue: "importing loses nothing"): the next post gets fml's
next number (seq + 1) with the subject tag in fml's format and fml's X-ML-Name/X-Mail-Count;
members are recognised whatever the case of the address they post from, as fml does; only the
members fml delivered to get the post; `get N` of an imported article returns the bytes of
fml's spool file unchanged.
"""
import json
import os
import re

from harness import Env, main
from list_env import (ListServerCase, attached_articles, header, list_domain_records, message,
                      parsed, poster_domain_records)

LIST_DOMAIN = "list.cq-test.example"
LIST = f"cq-test@{LIST_DOMAIN}"
REQUEST = f"cq-test-request@{LIST_DOMAIN}"


def fixture_path(*parts):
    return os.path.join(Env.shared, "fml-fixture", *parts)


def expected():
    with open(fixture_path("expected-import.json"), encoding="utf-8") as f:
        return json.load(f)


class ImportedListServes(ListServerCase):
    @classmethod
    def setUpClass(cls):
        cls.make_dir("cqlist-import-serve-")
        cls.want = expected()
        rsa_key, rsa_record = cls.key(LIST_DOMAIN, "rsa1")
        # The fixture's members live at example.org and example.com; both publish p=none.
        cls.start_mail_system({**list_domain_records(LIST_DOMAIN, rsa_record),
                               **poster_domain_records("example.org", "none"),
                               **poster_domain_records("example.com", "none")},
                              [LIST_DOMAIN], zones=["example.org", "example.com"])
        cls.cqlist("import-fml", fixture_path("ml", "cq-test"), "--list", LIST)
        cls.cqlist("list", "set", LIST, "dkim_selector_rsa=rsa1", f"dkim_key_rsa={rsa_key}")
        cls.start_server()

    def last_article(self):
        _, shown, _ = self.cqlist("list", "show", LIST, "--json")
        return json.loads(shown)["last_article"]

    def test_a_post_continues_fmls_numbering_and_reaches_whom_fml_delivered_to(self):
        sequence = self.want["sequence"]
        self.assertEqual(self.last_article(), sequence["last_article"])
        # JA2XYZ@Example.COM in fml's members file posts as ja2xyz@EXAMPLE.com: fml compares
        # addresses without case, so this is a member's post, not a non-member's.
        poster = "ja2xyz@EXAMPLE.com"
        self.send(message(f"Ja2xyz <{poster}>", LIST, "Re: [cq-test:00002] QSO party schedule"),
                  poster, LIST)
        tag = self.want["list"]["next_subject_tag"]
        first = self.want["realtime_recipients"][0]
        copy = self.mail_with_subject(first, f"{tag} Re: QSO party schedule")
        self.assertEqual(str(parsed(copy)["Subject"]), f"{tag} Re: QSO party schedule")
        self.assertEqual(header(copy, "X-ML-Name"), ["cq-test"])
        self.assertEqual(header(copy, "X-Mail-Count"), [f"{sequence['next_article']:05d}"])
        self.assertIn(f"dkim=pass header.d={LIST_DOMAIN}",
                      header(copy, "Authentication-Results")[0])
        self.assertEqual(self.last_article(), sequence["next_article"])

        # Every realtime recipient of fml gets exactly one copy; members with delivery off,
        # digest members and fml's "skip" (post-only) members get none.
        records = self.sink.wait_for_records(
            len(self.want["realtime_recipients"]), timeout=60,
            where=lambda r: tag in (r.get("subject") or ""))
        got = sorted(rcpt.lower() for r in records for rcpt in r["rcpt_tos"])
        self.assertEqual(got, sorted(a.lower() for a in self.want["realtime_recipients"]))
        self.assertTrue(all(r["decision"] == "accepted" for r in records), records)

    def test_get_of_an_imported_article_returns_fmls_spool_bytes(self):
        owner = self.want["members"][0]["address"]
        self.send(message(owner, REQUEST, "command", body="get 3\r\n"), owner, REQUEST)
        reply = self.wait_for_mail(owner, lambda c: parsed(c).get_content_type()
                                   == "multipart/digest" and str(parsed(c)["Subject"]).endswith(" 3"))
        self.assertEqual(header(reply, "Auto-Submitted"), ["auto-replied"])
        with open(fixture_path("ml", "cq-test", "spool", "3"), "rb") as f:
            original = f.read()
        attached, = attached_articles(reply)
        # The spool file travels as it is; only line ends become CRLF on the wire.
        self.assertEqual(attached, re.sub(rb"\r?\n", b"\r\n", original))


if __name__ == "__main__":
    main()

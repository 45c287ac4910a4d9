"""Digests end to end: Postfix -> LMTP -> cqlist serve; `cqlist digest send` queues one
multipart/digest for the digest members, which the daemon signs and sends through Postfix to
the strict sink (SPF/DKIM/DMARC checked there), like a post.

Topology: list_env.py's (all 127.0.0.1, free ports).
"""
import email
import email.policy
import time

from harness import main
from list_env import ListServerCase, header, list_domain_records, message, poster_domain_records

LIST_DOMAIN = "list.cq-test.example"
LIST = f"ham@{LIST_DOMAIN}"
POSTER_DOMAIN = "none.cq-test.example"
REGULAR = f"reg@{POSTER_DOMAIN}"
DIGEST = "dig@third.cq-test.example"
OWNER = "owner@third.cq-test.example"


class DigestTest(ListServerCase):
    @classmethod
    def setUpClass(cls):
        cls.make_dir("cqlist-digest-")
        rsa_key, rsa_record = cls.key(LIST_DOMAIN, "rsa1", "rsa2048")
        cls.start_mail_system({**list_domain_records(LIST_DOMAIN, rsa_record),
                               **poster_domain_records(POSTER_DOMAIN, "none")},
                              [LIST_DOMAIN])
        cls.cqlist("list", "create", LIST, "--owner", OWNER,
                   "--set", "dkim_selector_rsa=rsa1", "--set", f"dkim_key_rsa={rsa_key}")
        cls.cqlist("members", "add", LIST, REGULAR)
        cls.cqlist("members", "add", LIST, DIGEST, "--mode", "digest")
        cls.start_server()

    def records_for(self, rcpt):
        """List mail of this test to rcpt (posts and digests, not notices)."""
        return [r for r in self.sink.records() if rcpt in r["rcpt_tos"]
                and ("digest topic" in (r.get("subject") or "")
                     or "digest, issue" in (r.get("subject") or ""))]

    def test_digest_member_gets_one_signed_digest_with_both_posts(self):
        for n, subject in enumerate(["digest topic one", "digest topic two"]):
            self.send(message(f"Reg <{REGULAR}>", LIST, subject, f"d{n}@none"), REGULAR, LIST)
            self.sink.wait_for_records(
                1, timeout=60,
                where=lambda r, s=subject: s in (r.get("subject") or "") and REGULAR in r["rcpt_tos"])
        time.sleep(6)  # a delivery worker round: nothing may have gone to the digest member
        self.assertEqual(self.records_for(DIGEST), [])

        # Not due yet (daily interval, two small posts): nothing is queued without --force.
        code, out, _ = self.cqlist("digest", "send", LIST, check_exit=0)
        self.assertIn("no digest sent: not due yet", out)
        code, out, _ = self.cqlist("digest", "send", LIST, "--force", check_exit=0)
        self.assertIn("digest issue 1 with articles 1-2 queued for 1 member", out)

        record, = self.sink.wait_for_records(
            1, timeout=60,
            where=lambda r: DIGEST in r["rcpt_tos"] and "digest, issue" in (r.get("subject") or ""))
        self.assertEqual(record["decision"], "accepted", record["reply"])
        self.assertEqual(record["rcpt_tos"], [DIGEST])
        dkim = {(s["d"], s["a"]): s["result"] for s in record["auth"]["dkim"]}
        self.assertEqual(dkim.get((LIST_DOMAIN, "rsa-sha256")), "pass", record["auth"]["dkim"])
        self.assertEqual(record["auth"]["spf"]["result"], "pass", record["auth"])
        self.assertTrue(record["mail_from"].startswith("ham-bounces+"), record["mail_from"])

        copy, = [c for c in self.sink.messages_for(DIGEST) if b"digest, issue" in c]
        self.assertEqual(header(copy, "Subject"), ["ham digest, issue 1 (articles 1-2)"])
        self.assertEqual(header(copy, "From"), [LIST])
        self.assertEqual(header(copy, "To"), [LIST])
        self.assertIn(f"<ham.{LIST_DOMAIN}>", header(copy, "List-Id")[0])
        self.assertIn(f"<mailto:{LIST}>", header(copy, "List-Post"))
        parsed = email.message_from_bytes(copy, policy=email.policy.default)
        self.assertEqual(parsed.get_content_type(), "multipart/digest")
        parts = list(parsed.iter_parts())
        self.assertEqual(len(parts), 3)
        self.assertEqual(parts[0].get_content_type(), "text/plain")
        toc = parts[0].get_content()
        self.assertLess(toc.index("digest topic one"), toc.index("digest topic two"))
        subjects = []
        for part in parts[1:]:
            self.assertEqual(part.get_content_type(), "message/rfc822")
            subjects.append(str(part.get_content()["Subject"]))
        self.assertEqual(len(subjects), 2)
        self.assertIn("digest topic one", subjects[0])
        self.assertIn("digest topic two", subjects[1])
        # The regular member got each post once and no digest.
        regular = self.records_for(REGULAR)
        self.assertEqual(len(regular), 2)
        self.assertFalse(any("digest, issue" in (r.get("subject") or "") for r in regular))

        # Nothing new: a second run sends nothing, even forced.
        code, out, _ = self.cqlist("digest", "send", "--force", check_exit=0)
        self.assertIn("no digest sent: nothing new", out)
        time.sleep(6)
        self.assertEqual(len(self.records_for(DIGEST)), 1)


if __name__ == "__main__":
    main()

"""`cqlist bounces parse`: the bounce parser on files, as an operator checks their own bounces."""
import json
import os
import tempfile

from harness import Env, ScratchDirTest, main, run_cqlist


def sample(name):
    return os.path.join(Env.source_root, "src", "bounce", "testdata", name)


class BouncesParse(ScratchDirTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-bounces-parse-")

    def test_text_output_names_recipient_status_reply_and_unwrapped_diagnostic(self):
        path = sample("postfix-gmail-5.7.26.eml")
        _, out, err = run_cqlist("bounces", "parse", path, check_exit=0)
        self.assertEqual(err, "")
        self.assertIn(f"{path}: delivery_failure (rfc3464), reported by mail.list.example.org",
                      out)
        self.assertIn("  member@gmail.com\n", out)
        self.assertIn("status 5.7.26  reply 550  permanent  command DATA  "
                      "remote host gmail-smtp-in.l.google.com", out)
        self.assertIn("said: 550 5.7.26 This mail has been blocked because the sender is "
                      "unauthenticated. Gmail requires all senders", out)
        self.assertNotIn("550-5.7.26", out)
        # Gmail's 5.7.26 is about the list's own authentication, not the member's mailbox.
        self.assertIn("    reason authfailure  side sender\n", out)

    def test_json_gives_one_object_per_file_per_line(self):
        files = [sample(name) for name in
                 ["postfix-gmail-5.7.26.eml", "qmail.eml", "exim.eml", "auto-reply.eml",
                  "arf.eml"]]
        _, out, _ = run_cqlist("bounces", "parse", "--json", *files, check_exit=0)
        lines = out.splitlines()
        self.assertEqual(len(lines), len(files))
        reports = [json.loads(line) for line in lines]
        self.assertEqual([r["file"] for r in reports], files)
        self.assertEqual([r["kind"] for r in reports],
                         ["delivery_failure", "delivery_failure", "delivery_failure",
                          "auto_reply", "complaint"])
        gmail = reports[0]["recipients"][0]
        self.assertEqual(gmail["address"], "member@gmail.com")
        self.assertEqual(gmail["status"], "5.7.26")
        self.assertEqual(gmail["reply_code"], 550)
        self.assertIs(gmail["permanent"], True)
        self.assertEqual(gmail["smtp_command"], "DATA")
        self.assertEqual((gmail["side"], gmail["reason"]), ("sender", "authfailure"))
        qmail = reports[1]["recipients"][0]
        self.assertEqual((qmail["address"], qmail["status"], qmail["reply_code"]),
                         ("mike@example.com", "5.1.1", 550))
        exim = reports[2]["recipients"][0]
        self.assertEqual((exim["address"], exim["remote_host"], exim["smtp_command"]),
                         ("kuro@mail.example.net", "mx.mail.example.net", "RCPT"))
        self.assertEqual(reports[3]["recipients"][0]["address"], "shiro@example.com")
        self.assertIsNone(reports[3]["recipients"][0]["status"])
        self.assertEqual(reports[4]["recipients"][0]["feedback_type"], "abuse")

    def test_lone_cr_line_ends_read_like_lf(self):
        with open(sample("exim.eml"), "rb") as f:
            lf = f.read()
        path = self.write("exim-cr.eml", lf.replace(b"\n", b"\r"))
        _, out_cr, _ = run_cqlist("bounces", "parse", "--json", path, check_exit=0)
        _, out_lf, _ = run_cqlist("bounces", "parse", "--json", sample("exim.eml"), check_exit=0)
        cr, lf_report = json.loads(out_cr), json.loads(out_lf)
        self.assertEqual(cr["recipients"], lf_report["recipients"])

    def test_unparsable_file_is_named_others_still_done_and_exit_is_65(self):
        garbage = self.write("garbage.eml", b"Subject: lunch\n\nSee you at noon.\n")
        code, out, err = run_cqlist("bounces", "parse", "--json", garbage, sample("qmail.eml"))
        self.assertEqual(code, 65)
        self.assertIn(garbage, err)
        self.assertIn("not a bounce", err)
        lines = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(len(lines), 2)
        self.assertEqual(lines[0]["file"], garbage)
        self.assertIn("not a bounce", lines[0]["error"])
        self.assertEqual(lines[1]["recipients"][0]["address"], "mike@example.com")

    def test_missing_file_is_named_and_exit_is_66(self):
        code, out, err = run_cqlist("bounces", "parse", "/nonexistent/bounce.eml",
                                    sample("exim.eml"))
        self.assertEqual(code, 66)
        self.assertIn("/nonexistent/bounce.eml", err)
        self.assertIn("kuro@mail.example.net", out)

    def test_a_file_is_required(self):
        code, _, err = run_cqlist("bounces", "parse")
        self.assertEqual(code, 64)
        self.assertIn("file", err.lower())


if __name__ == "__main__":
    main()

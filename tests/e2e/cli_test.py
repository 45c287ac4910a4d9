"""The cqlist command line, run as an operator would run it."""
import os
import re
import unittest

from harness import Env, main, run_cqlist


class VersionAndHelp(unittest.TestCase):
    def test_version_names_the_program_and_a_semantic_version(self):
        _, out, _ = run_cqlist("--version", check_exit=0)
        self.assertRegex(out.strip(), r"^cqlist \d+\.\d+\.\d+$")

    def test_help_lists_the_commands(self):
        _, out, _ = run_cqlist("help", check_exit=0)
        self.assertIn("inspect", out)
        self.assertIn("help", out)

    def test_help_for_one_command_matches_its_help_flag(self):
        _, via_help, _ = run_cqlist("help", "inspect", check_exit=0)
        _, via_flag, _ = run_cqlist("inspect", "--help", check_exit=0)
        self.assertEqual(via_help, via_flag)
        self.assertIn("Message file", via_flag)

    def test_unknown_command_is_a_usage_error(self):
        code, _, err = run_cqlist("no-such-command")
        self.assertEqual(code, 64)
        self.assertIn("no-such-command", err)

    def test_help_for_unknown_command_says_how_to_list_commands(self):
        code, _, err = run_cqlist("help", "frobnicate")
        self.assertEqual(code, 64)
        self.assertIn("cqlist help", err)


class Inspect(unittest.TestCase):
    def message_path(self, name):
        return os.path.join(Env.source_root, "tests", "data", "messages", name)

    def test_missing_file_is_reported_with_its_path(self):
        code, out, err = run_cqlist("inspect", "/nonexistent/post.eml")
        self.assertEqual(code, 66)
        self.assertIn("/nonexistent/post.eml", err)
        self.assertIn("No such file", err)
        self.assertEqual(out, "")

    def test_reads_message_from_stdin(self):
        message = b"From: a@example.org\r\nSubject: hello\r\n\r\nbody\r\n"
        _, out, _ = run_cqlist("inspect", "-", stdin=message, check_exit=0)
        self.assertIn("line endings: CRLF", out)
        self.assertIn("header fields: 2", out)
        self.assertIn("Subject: hello", out)
        self.assertIn("body: 6 bytes", out)

    def test_reports_defects_of_a_malformed_message(self):
        message = b"From a@b Thu Jan  1 00:00:00 2026\nSubject: x\nno colon here\n"
        _, out, _ = run_cqlist("inspect", "-", stdin=message, check_exit=0)
        self.assertIn("defect: mbox_from_line", out)
        self.assertIn("defect: line_without_colon", out)

    def test_decodes_a_japanese_iso2022jp_post(self):
        _, out, _ = run_cqlist("inspect", self.message_path("japanese-iso2022jp.eml"), check_exit=0)
        self.assertIn("line endings: CRLF", out)
        self.assertIn("decoded: Re: [cq:00011] 無線機の設定について", out)
        self.assertIn("address: 山田太郎 <yamada@example.jp>", out)
        self.assertRegex(out, r"0\. text/plain; charset=ISO-2022-JP \(\d+ bytes, 7bit\)")
        self.assertIn("| 佐藤さん", out)

    def test_lists_mime_parts_and_normalises_idn_domains(self):
        message = (
            "From: =?UTF-8?B?55Sw5Lit?= <Tanaka@例え.テスト>\n"
            "Subject: parts\n"
            "MIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=b1\n\n"
            "--b1\nContent-Type: text/plain; charset=utf-8\n\nこんにちは\n"
            "--b1\nContent-Type: application/pdf; name=\"a.pdf\"\n"
            "Content-Transfer-Encoding: base64\n\nJVBERi0=\n--b1--\n").encode()
        _, out, _ = run_cqlist("inspect", "-", stdin=message, check_exit=0)
        self.assertIn("address: 田中 <Tanaka@xn--r8jz45g.xn--zckzah>", out)
        self.assertIn("MIME parts: 3", out)
        self.assertIn("0. multipart/mixed", out)
        self.assertIn("| こんにちは", out)
        self.assertRegex(out, r'2\. application/pdf \(\d+ bytes, base64\) file "a.pdf"')


class Decorate(unittest.TestCase):
    def message_path(self, name):
        return os.path.join(Env.source_root, "tests", "data", "messages", name)

    def test_retags_an_iso2022jp_subject_and_keeps_its_encoding(self):
        code, out, err = run_cqlist(
            "decorate", "--list", "cq", "--article", "12",
            "--footer", "-- \nCQ list\n登録解除: cq-request@lists.example.org\n",
            self.message_path("japanese-iso2022jp.eml"))
        self.assertEqual(code, 0, err)
        self.assertIn("Subject: [cq:00012] Re:\r\n =?ISO-2022-JP?B?", out)
        self.assertNotIn("[cq:00011]", out)
        # The footer went into the ISO-2022-JP body in ISO-2022-JP, escapes balanced.
        body = out.split("\r\n\r\n", 1)[1].encode("latin-1", errors="strict") \
            if out.isascii() else None
        self.assertIsNotNone(body, "decorated ISO-2022-JP message must stay 7-bit")
        text = body.decode("iso2022_jp")
        self.assertIn("登録解除: cq-request@lists.example.org", text)
        self.assertTrue(body.rstrip(b"\r\n").endswith(b"cq-request@lists.example.org"))
        # Everything before the Subject field is byte for byte the original.
        original = open(self.message_path("japanese-iso2022jp.eml"), "rb").read()
        head = original.split(b"Subject:", 1)[0]
        self.assertTrue(out.encode("latin-1").startswith(head))

    def test_round_tag_format_and_utf8_subject(self):
        message = "Subject: =?UTF-8?B?UmU6IFtjcTowMDAwMV0g5LuK5pel44Gv?=\n\nhi\n".encode()
        _, out, _ = run_cqlist("decorate", "--list", "cq", "--article", "7", "--tag-format",
                               "(:)", "--number-width", "3", "-", stdin=message, check_exit=0)
        first = out.splitlines()[0]
        self.assertTrue(first.startswith("Subject: (cq:007) Re: =?UTF-8?"), first)

    def test_bad_tag_format_is_a_usage_error_that_says_why(self):
        code, _, err = run_cqlist("decorate", "--list", "cq", "--tag-format", "<:>", "-",
                                  stdin=b"Subject: x\n\nbody\n")
        self.assertEqual(code, 64)
        self.assertIn("<:>", err)


if __name__ == "__main__":
    main()

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


if __name__ == "__main__":
    main()

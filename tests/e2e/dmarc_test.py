"""`cqlist dmarc DOMAIN`: the DMARC policy for a From domain, found through a real unbound.

A real unbound on loopback (temporary config with local-data, killed by PID) serves the
_dmarc records; cqlist's libunbound resolver is pointed at it with --resolver. The whole
"test." zone is local so the walk up to the top-level domain never leaves the machine.
"""
import json
import unittest

from harness import main, run_cqlist
from loopback_dns import LoopbackDns, txt

RECORDS = {
    "_dmarc.example.test": ["v=DMARC1; p=reject; rua=mailto:dmarc@example.test"],
    "_dmarc.broken.test": ["v=DMARC1 p=reject"],
    "_dmarc.oldtags.test": ["v=DMARC1; p=quarantine; pct=50"],
}


class DmarcCommand(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        records = {name: [txt(*strings)] for name, strings in RECORDS.items()}
        cls.dns = LoopbackDns(records, zones=["test"], probe_name="_dmarc.example.test").start()
        cls.port = cls.dns.port

    @classmethod
    def tearDownClass(cls):
        cls.dns.stop()

    def dmarc(self, *args, check_exit=0):
        return run_cqlist("dmarc", *args, "--resolver", f"127.0.0.1@{self.port}",
                          check_exit=check_exit)

    def test_reject_at_the_org_domain_found_from_a_subdomain(self):
        _, out, _ = self.dmarc("mail.news.example.test")
        self.assertIn("Policy record: _dmarc.example.test\n"
                      "  v=DMARC1; p=reject; rua=mailto:dmarc@example.test\n", out)
        self.assertIn("Policy for failing mail from mail.news.example.test: reject "
                      "(p= of example.test, which also covers its subdomains)", out)
        self.assertIn("Organizational domain: example.test\n", out)
        queried = [line.split()[0] for line in out.splitlines() if line.startswith("  _dmarc.")]
        self.assertEqual(queried, ["_dmarc.mail.news.example.test", "_dmarc.news.example.test",
                                   "_dmarc.example.test", "_dmarc.test"])

    def test_json_names_every_query(self):
        _, out, _ = self.dmarc("news.example.test", "--json")
        data = json.loads(out)
        self.assertEqual(data["status"], "found")
        self.assertEqual(data["record_domain"], "example.test")
        self.assertEqual(data["policy"], "reject")
        self.assertEqual([q["name"] for q in data["queries"]],
                         ["_dmarc.news.example.test", "_dmarc.example.test", "_dmarc.test"])
        self.assertEqual(data["queries"][0]["status"], "nxdomain")

    def test_no_record(self):
        _, out, _ = self.dmarc("nothing.test")
        self.assertIn("Result: no DMARC policy applies to nothing.test.", out)
        self.assertIn("_dmarc.nothing.test", out)

    def test_broken_record_is_explained_and_ignored(self):
        _, out, _ = self.dmarc("broken.test")
        self.assertIn("record ignored: the version tag reads \"v=DMARC1 p=reject\": tags must "
                      "be separated by ';'", out)
        self.assertIn("Result: no DMARC policy applies to broken.test.", out)

    def test_removed_tag_is_reported(self):
        _, out, _ = self.dmarc("oldtags.test")
        self.assertIn("Policy for failing mail from oldtags.test: quarantine", out)
        self.assertIn("Record problem: pct= was removed by RFC 9989 and is ignored", out)

    def test_invalid_domain_is_a_usage_error(self):
        _, out, _ = self.dmarc("bad..test", check_exit=64)
        self.assertIn("is not a domain name", out)


if __name__ == "__main__":
    main()

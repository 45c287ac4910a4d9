"""`cqlist spf` against a real unbound on loopback serving a few SPF zones.

Includes the founding story's record: cq-test.example includes itself, which every receiver
treats as a permanent error; the trace must name the loop so the operator can fix it.
unbound is started as a child and stopped by its PID at the end.
"""
import json
import unittest

from harness import main, run_cqlist
from loopback_dns import LoopbackDns

ZONES = {
    "cq-test.example": [("TXT", '"v=spf1 include:cq-test.example ~all"')],
    "relay.example": [("TXT", '"v=spf1 ip4:192.0.2.25 include:_spf.relay.example ~all"'),
                      ("MX", "10 mx.relay.example.")],
    "_spf.relay.example": [("TXT", '"v=spf1 ip4:198.51.100.0/24 " "ip6:2001:db8:25::/48 -all"')],
    "mx.relay.example": [("A", "203.0.113.5")],
    "strict.example": [("TXT", '"v=spf1 mx:relay.example -all exp=why.strict.example"')],
    "why.strict.example": [("TXT", '"%{i} may not send mail for %{d}"')],
    "two.example": [("TXT", '"v=spf1 -all"'), ("TXT", '"v=spf1 +all"')],
}


class SpfCommand(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dns = LoopbackDns(ZONES, zones=["example"], probe_name="relay.example").start()
        cls.port = cls.dns.port

    @classmethod
    def tearDownClass(cls):
        cls.dns.stop()

    def spf(self, *args, check_exit=0):
        return run_cqlist("spf", *args, "--resolver", f"127.0.0.1@{self.port}",
                          check_exit=check_exit)

    def test_self_include_is_a_permerror_whose_trace_names_the_loop(self):
        _, out, _ = self.spf("cq-test.example", "--ip", "192.0.2.1", "--trace")
        self.assertIn("SPF result for 192.0.2.1 sending as postmaster@cq-test.example: permerror",
                      out)
        self.assertIn("includes itself", out)
        self.assertIn("loop: cq-test.example -> cq-test.example", out)
        self.assertIn("decided by 'include:cq-test.example' in the record of cq-test.example", out)
        self.assertIn("Fix the record", out)

    def test_relay_include_passes_and_lists_every_query(self):
        _, out, _ = self.spf("relay.example", "--ip", "198.51.100.7", "--sender",
                             "news@relay.example", "--helo", "out.relay.example", "--trace")
        self.assertIn("sending as news@relay.example: pass", out)
        self.assertIn("query _spf.relay.example TXT -> answer (1 record)", out)
        self.assertIn("decided by 'include:_spf.relay.example' in the record of relay.example",
                      out)
        self.assertIn("Authentication-Results: cqlist; spf=pass smtp.mailfrom=news@relay.example",
                      out)

    def test_direct_address_and_softfail(self):
        _, out, _ = self.spf("relay.example", "--ip", "192.0.2.25")
        self.assertIn(": pass", out)
        _, out, _ = self.spf("relay.example", "--ip", "192.0.2.26")
        self.assertIn(": softfail", out)

    def test_fail_prints_the_domain_explanation(self):
        _, out, _ = self.spf("strict.example", "--ip", "192.0.2.9", "--receiver", "lists.example")
        self.assertIn(": fail", out)
        self.assertIn("192.0.2.9 may not send mail for strict.example", out)
        _, out, _ = self.spf("strict.example", "--ip", "203.0.113.5")
        self.assertIn(": pass", out)

    def test_json_carries_result_and_trace(self):
        _, out, _ = self.spf("relay.example", "--ip", "2001:db8:25::9", "--json")
        doc = json.loads(out)
        self.assertEqual(doc["result"], "pass")
        self.assertEqual(doc["trace"]["dns_lookups"], 1)
        self.assertEqual(doc["trace"]["deciding_term"], "include:_spf.relay.example")
        kinds = [step["kind"] for step in doc["trace"]["steps"]]
        self.assertEqual(kinds.count("record"), 2)
        self.assertTrue(doc["received_spf"].startswith("pass ("))

    def test_two_records_and_missing_record(self):
        _, out, _ = self.spf("two.example", "--ip", "192.0.2.1")
        self.assertIn(": permerror", out)
        self.assertIn("2 SPF records", out)
        _, out, _ = self.spf("nothing.example", "--ip", "192.0.2.1")
        self.assertIn(": none", out)

    def test_bad_address_is_a_usage_error(self):
        _, _, err = self.spf("relay.example", "--ip", "192.0.2.300", check_exit=64)
        self.assertIn("192.0.2.300", err)


if __name__ == "__main__":
    main()

"""`cqlist check`: SPF, DKIM, ARC and DMARC of a message, as a receiver sees them.

A real unbound on loopback serves the whole `test.` zone (SPF, DMARC and DKIM key records), so
every DNS query cqlist makes, DMARC's tree walk included, is answered locally. Messages are
signed and ARC-sealed by dkimpy (python3-dkim, run under /usr/bin/python3 because the
interpreter running this test may be another one), with keys made at run time by dkimpy's
dknewkey.
"""
import json
import subprocess
import tempfile

from dkim_keys import dkimpy_key
from harness import ScratchDirTest, main, run_cqlist
from loopback_dns import LoopbackDns, txt

SYSTEM_PYTHON = "/usr/bin/python3"

# sign MESSAGE SELECTOR DOMAIN KEY: prints the message with a DKIM-Signature (rsa-sha256).
# arcsign MESSAGE SELECTOR DOMAIN KEY SRV_ID: prints it with dkimpy's ARC set on top.
DKIMPY = r"""
import sys, dkim
op, path, selector, domain, key = sys.argv[1:6]
message = open(path, "rb").read()
key = open(key, "rb").read()
if op == "sign":
    out = dkim.sign(message, selector.encode(), domain.encode(), key,
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
else:
    out = b"".join(dkim.arc_sign(message, selector.encode(), domain.encode(), key,
                                 sys.argv[6].encode()))
sys.stdout.buffer.write(out + message)
"""

SPF_IP = "192.0.2.10"
OTHER_IP = "198.51.100.9"


def message(sender, subject="Meeting notes", extra=""):
    return (f"{extra}From: Alice <{sender}>\r\n"
            "To: team@lists.example.test\r\n"
            f"Subject: {subject}\r\n"
            "Date: Sat, 28 Nov 2026 10:00:00 +0900\r\n"
            f"Message-ID: <{subject.replace(' ', '.')}@author.test>\r\n"
            "\r\n"
            "See you at ten.\r\n").encode()


class CheckCommand(ScratchDirTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-check-")
        cls.dns = None
        try:
            records = {
                "author.test": [txt(f"v=spf1 ip4:{SPF_IP} -all")],
                "_dmarc.author.test": [txt("v=DMARC1; p=reject; adkim=r; aspf=r")],
                "other.test": [txt("v=spf1 -all")],
                "nopolicy.test": [txt("v=spf1 -all")],
            }
            for selector, domain in (("py", "author.test"), ("third", "other.test"),
                                     ("arc", "forwarder.test")):
                _, name, strings = dkimpy_key(cls.dir, selector, domain)
                records[name] = [txt(*strings)]
            cls.dns = LoopbackDns(records, zones=["test"], probe_name="author.test").start()
        except BaseException:
            cls.tearDownClass()
            raise


    def dkimpy(self, op, data, selector, domain, *extra):
        source = self.write(f"in-{op}-{selector}.eml", data)
        proc = subprocess.run([SYSTEM_PYTHON, "-c", DKIMPY, op, source, selector, domain,
                               self.path(selector + ".key"), *extra],
                              capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return proc.stdout

    def check(self, path, *args, exit_code):
        return run_cqlist("check", "--authserv-id", "mx.example.net", "--resolver",
                          self.dns.address, *args, path, check_exit=exit_code)[1]

    def check_json(self, path, *args, exit_code):
        data = json.loads(self.check(path, "--json", *args, exit_code=exit_code))
        self.assertEqual(data["exit_code"], exit_code)
        return data, {r["method"]: r for r in data["results"]}

    # --- DKIM and DMARC ---------------------------------------------------------------------

    def test_dkimpy_signature_passes_dkim_and_aligned_dmarc(self):
        signed = self.write("py-signed.eml",
                            self.dkimpy("sign", message("alice@author.test"), "py",
                                        "author.test"))
        out = self.check(signed, exit_code=0)
        self.assertIn("Verdict: authenticated\n  DMARC passes for author.test", out)
        self.assertIn("DKIM signature 1 (d=author.test, s=py, rsa-sha256): pass\n"
                      "  meaning: author.test vouches for this message", out)
        self.assertIn("DMARC for the From domain author.test: pass\n"
                      "  why:     DKIM signature of author.test passed and is aligned", out)
        self.assertIn("policy record at _dmarc.author.test: v=DMARC1; p=reject", out)
        self.assertIn("SPF: not checked\n  why:     the address of the server that sent the "
                      "message is not known", out)
        field = out[out.index("Authentication-Results: mx.example.net;"):]
        self.assertIn("\tdkim=pass (2048-bit key) header.d=author.test", field)
        self.assertIn(";\n\tarc=none;\n\tdmarc=pass (p=reject dis=none) header.from=author.test",
                      field)
        self.assertNotIn("spf=", field)

    def test_relaxed_alignment_through_the_organizational_domain(self):
        signed = self.write("py-subdomain.eml",
                            self.dkimpy("sign", message("alice@news.author.test", "sub"),
                                        "py", "author.test"))
        data, results = self.check_json(signed, "--trace", exit_code=0)
        self.assertEqual(data["verdict"], "authenticated")
        self.assertEqual(results["dmarc"]["result"], "pass")
        self.assertEqual(results["dmarc"]["header.from"], "news.author.test")
        self.assertIn("looked up _dmarc.news.author.test: no such name",
                      results["dmarc"]["details"])

    def test_tampered_body_fails_dkim_and_dmarc_with_reject(self):
        signed = self.dkimpy("sign", message("alice@author.test", "tampered"), "py",
                             "author.test")
        path = self.write("py-tampered.eml", signed.replace(b"at ten", b"at nine"))
        out = self.check(path, exit_code=1)
        self.assertIn("Verdict: not authenticated\n  DMARC fails for author.test", out)
        self.assertIn("refuse such mail", out)
        self.assertIn("): fail\n  why:     body hash mismatch", out)
        self.assertIn("dmarc=fail (p=reject dis=reject)", out)

    def test_unaligned_signature_is_a_dmarc_fail_on_a_reject_domain(self):
        signed = self.write("third-party.eml",
                            self.dkimpy("sign", message("alice@author.test", "third"), "third",
                                        "other.test"))
        data, results = self.check_json(signed, exit_code=1)
        self.assertEqual(data["verdict"], "not authenticated")
        self.assertEqual(results["dkim"]["result"], "pass")
        self.assertEqual(results["dkim"]["header.d"], "other.test")
        self.assertEqual(results["dmarc"]["result"], "fail")
        self.assertIn("policy of author.test asks for reject", results["dmarc"]["reason"])
        self.assertIn("dmarc=fail (p=reject dis=reject)", data["authentication_results"])

    def test_without_a_dmarc_policy_a_passing_signature_is_enough(self):
        signed = self.write("nopolicy.eml",
                            self.dkimpy("sign", message("bob@nopolicy.test", "np"), "third",
                                        "other.test"))
        data, results = self.check_json(signed, exit_code=0)
        self.assertEqual(results["dmarc"]["result"], "none")
        self.assertIn("nopolicy.test publishes no DMARC policy, and DKIM for other.test "
                      "passed", data["summary"])
        unsigned = self.write("nopolicy-unsigned.eml", message("bob@nopolicy.test", "np2"))
        data, results = self.check_json(unsigned, exit_code=1)
        self.assertEqual(results["dkim"]["result"], "none")
        self.assertIn("Nothing authenticates this message", data["summary"])

    # --- SPF ----------------------------------------------------------------------------------

    def test_spf_pass_from_a_permitted_address_is_aligned(self):
        path = self.write("unsigned.eml", message("alice@author.test", "spf"))
        out = self.check(path, "--ip", SPF_IP, "--mail-from", "bounce@author.test", "--helo",
                         "mail.author.test", exit_code=0)
        self.assertIn(f"SPF for {SPF_IP} sending as bounce@author.test: pass\n", out)
        self.assertIn("\tspf=pass smtp.mailfrom=bounce@author.test;\n", out)
        self.assertIn("SPF passed for author.test which is aligned with the From domain", out)

    def test_spf_fail_from_another_address_fails_dmarc(self):
        path = self.write("unsigned-fail.eml", message("alice@author.test", "spf fail"))
        data, results = self.check_json(path, "--ip", OTHER_IP, "--mail-from",
                                        "bounce@author.test", exit_code=1)
        self.assertEqual(results["spf"]["result"], "fail")
        self.assertEqual(results["spf"]["smtp.mailfrom"], "bounce@author.test")
        self.assertIn("add its address to the domain's SPF record", results["spf"]["meaning"])
        self.assertEqual(results["dmarc"]["result"], "fail")
        self.assertIn("spf=fail reason=", data["authentication_results"])

    def test_return_path_is_the_envelope_sender_by_default(self):
        path = self.write("return-path.eml",
                          message("alice@author.test", "rp",
                                  extra="Return-Path: <bounce@author.test>\r\n"))
        data, results = self.check_json(path, "--ip", SPF_IP, "--trace", exit_code=0)
        self.assertEqual(results["spf"]["result"], "pass")
        self.assertIn("the envelope sender was taken from the Return-Path field; give "
                      "--mail-from to check another", results["spf"]["details"])
        self.assertTrue(any("record of author.test" in line
                            for line in results["spf"]["details"]))

    # --- ARC ----------------------------------------------------------------------------------

    def test_arc_chain_sealed_by_dkimpy_validates(self):
        received = message("alice@author.test", "arc",
                           extra="Authentication-Results: forwarder.test; spf=pass "
                                 "smtp.mailfrom=author.test\r\n")
        sealed = self.write("arc-sealed.eml",
                            self.dkimpy("arcsign", received, "arc", "forwarder.test",
                                        "forwarder.test"))
        with open(sealed, "rb") as f:
            sealed_bytes = f.read()
        self.assertIn(b"cv=none", sealed_bytes)
        data, results = self.check_json(sealed, exit_code=1)
        arc = results["arc"]
        self.assertEqual(arc["result"], "pass", arc)
        self.assertEqual(arc["header.oldest-pass"], "0")
        self.assertEqual(arc["title"], "ARC chain (1 set)")
        self.assertIn("set 1: sealed by forwarder.test (s=arc); message signature pass, seal "
                      "pass; results recorded: forwarder.test; spf=pass", arc["details"][0])
        self.assertIn("arc=pass (i=1) header.oldest-pass=0", data["authentication_results"])
        # A change after sealing breaks the chain.
        broken = self.write("arc-broken.eml", sealed_bytes.replace(b"at ten", b"at two"))
        _, results = self.check_json(broken, exit_code=1)
        self.assertEqual(results["arc"]["result"], "fail")
        self.assertIn("The chain is broken", results["arc"]["meaning"])

    # --- usage --------------------------------------------------------------------------------

    def test_bad_arguments(self):
        path = self.write("usage.eml", message("alice@author.test", "usage"))
        _, _, err = run_cqlist("check", "--ip", "300.1.2.3", path, check_exit=64)
        self.assertIn("--ip 300.1.2.3 is not an IPv4 or IPv6 address", err)
        _, _, err = run_cqlist("check", self.path("missing.eml"), "--resolver",
                               self.dns.address, check_exit=66)
        self.assertIn("missing.eml", err)
        _, out, _ = run_cqlist("check", "--help", check_exit=0)
        self.assertIn("Exit status: 0 when the message is authenticated", out)


if __name__ == "__main__":
    main()

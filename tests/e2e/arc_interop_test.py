"""ARC interoperability: sets sealed by `cqlist arc seal` validate with dkimpy, both ways.

dkimpy (python3-dkim, under /usr/bin/python3) validates with arc_verify(), its DNS function
asking the same loopback unbound that cqlist uses. Chains mix the two sealers: cqlist alone,
dkimpy then cqlist, and cqlist then dkimpy then cqlist, where dkimpy takes the chain status of
its hop from the Authentication-Results field `cqlist check` printed. Keys are made at run time
(cqlist dkim keygen, dkimpy's dknewkey).
"""
import json
import re
import subprocess
import tempfile

from dkim_keys import cqlist_key, dkimpy_key
from harness import Env, ScratchDirTest, main, run_cqlist
from loopback_dns import LoopbackDns, txt

SYSTEM_PYTHON = "/usr/bin/python3"

# verify PORT MESSAGE: prints {"cv": "pass"/"fail"/"none"/"ended", "reason": ..., "sets": N}.
# seal PORT MESSAGE SELECTOR DOMAIN KEY SRV_ID: prints the message with dkimpy's ARC set on top.
DKIMPY = r"""
import json, sys, dkim, dns.resolver
op, port, path = sys.argv[1:4]
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ["127.0.0.1"]
resolver.port = int(port)
def dnsfunc(name, timeout=5):
    try:
        answer = resolver.resolve(name.decode(), "TXT", lifetime=timeout)
    except Exception:
        return None
    for record in answer:
        return b"".join(record.strings)
message = open(path, "rb").read()
if op == "verify":
    cv, results, reason = dkim.arc_verify(message, dnsfunc=dnsfunc)
    # None: a seal says cv=fail, the chain has ended.
    print(json.dumps({"cv": cv.decode() if cv else "ended", "reason": reason,
                      "sets": len(results)}))
else:
    selector, domain, key, srv_id = sys.argv[4:8]
    fields = dkim.arc_sign(message, selector.encode(), domain.encode(), open(key, "rb").read(),
                           srv_id.encode())
    sys.stdout.buffer.write(b"".join(fields) + message)
"""

MESSAGE = (
    "From: Alice <alice@author.test>\r\n"
    "To: team@lists.example.test\r\n"
    "Subject: =?UTF-8?B?5Lya6K2w?= notes\r\n"
    "Date: Sat, 28 Nov 2026 10:00:00 +0900\r\n"
    "Message-ID: <arc-interop@author.test>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "See you at ten.  \r\n"
    "\r\n").encode()


def field_values(data, name):
    """The unfolded values of every header field called `name`, top first."""
    header = data.split(b"\r\n\r\n", 1)[0]
    unfolded = re.sub(rb"\r\n[ \t]+", b" ", header).decode()
    prefix = name.lower() + ":"
    return [line[len(prefix):].strip() for line in unfolded.split("\r\n")
            if line.lower().startswith(prefix)]


def tags(value):
    return dict(tag.strip().split("=", 1) for tag in value.split(";") if "=" in tag)


class ArcInterop(ScratchDirTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-arc-interop-")
        cls.dns = None
        try:
            records = {"author.test": [txt("v=spf1 ip4:192.0.2.10 -all")],
                       "_dmarc.author.test": [txt("v=DMARC1; p=reject")]}
            # cqlist's sealing keys (PKCS#8 PEM) for two list hops.
            for selector, domain in (("cq", "lists.example.test"), ("cq2", "relay.test")):
                _, name, strings = cqlist_key(cls.dir, selector, domain)
                records[name] = [txt(*strings)]
            # dkimpy's (PKCS#1 PEM) for the forwarder hop and the author's DKIM key.
            for selector, domain in (("fwd", "forwarder.test"), ("py", "author.test")):
                _, name, strings = dkimpy_key(cls.dir, selector, domain)
                records[name] = [txt(*strings)]
            cls.dns = LoopbackDns(records, zones=["test"], probe_name="author.test").start()
        except BaseException:
            cls.tearDownClass()
            raise


    def dkimpy(self, op, path, *args):
        proc = subprocess.run([SYSTEM_PYTHON, "-c", DKIMPY, op, str(self.dns.port), path, *args],
                              capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return proc.stdout

    def dkimpy_verify(self, path):
        return json.loads(self.dkimpy("verify", path))

    def dkimpy_seal(self, path, name, srv_id="forwarder.test"):
        out = self.dkimpy("seal", path, "fwd", "forwarder.test", self.path("fwd.key"), srv_id)
        return self.write(name, out)

    def cqlist_seal(self, path, name, *extra, selector="cq", domain="lists.example.test",
                    exit_code=0):
        proc = subprocess.run(
            [Env.cqlist, "arc", "seal", "--domain", domain,
             "--selector", selector, "--key", self.path(selector + ".pem"), "--authserv-id",
             domain, "--resolver", self.dns.address, *extra, path],
            capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, exit_code, proc.stderr.decode())
        return self.write(name, proc.stdout), proc.stderr.decode()

    def cqlist_arc(self, path):
        _, out, _ = run_cqlist("check", "--json", "--resolver", self.dns.address, path)
        return next(r for r in json.loads(out)["results"] if r["method"] == "arc")

    # --- one hop ------------------------------------------------------------------------------

    def test_dkimpy_validates_a_set_sealed_by_cqlist(self):
        path, _ = self.cqlist_seal(self.write("plain.eml", MESSAGE), "cq1.eml", "--ip",
                                   "192.0.2.10", "--mail-from", "bounce@author.test")
        with open(path, "rb") as f:
            sealed = f.read()
        # cqlist's own checks went into the AAR: SPF passed and DMARC with it.
        self.assertIn(b"ARC-Authentication-Results: i=1; lists.example.test;", sealed)
        self.assertIn(b"spf=pass smtp.mailfrom=bounce@author.test", sealed)
        self.assertIn(b"dmarc=pass (p=reject dis=none)", sealed)
        seal = tags(field_values(sealed, "ARC-Seal")[0])
        self.assertEqual((seal["i"], seal["cv"], seal["d"], seal["s"]),
                         ("1", "none", "lists.example.test", "cq"))
        self.assertEqual(self.dkimpy_verify(path), {"cv": "pass", "reason": "success",
                                                    "sets": 1})
        self.assertEqual(self.cqlist_arc(path)["result"], "pass")

    def test_given_results_are_sealed_as_they_are(self):
        path, _ = self.cqlist_seal(self.write("plain2.eml", MESSAGE), "cq-results.eml",
                                   "--results", "spf=pass smtp.mailfrom=author.test",
                                   "--time", "1795831000")
        with open(path, "rb") as f:
            sealed = f.read()
        self.assertIn(b"ARC-Authentication-Results: i=1; lists.example.test; spf=pass "
                      b"smtp.mailfrom=author.test\r\n", sealed)
        self.assertIn(b"t=1795831000", sealed)
        self.assertEqual(self.dkimpy_verify(path)["cv"], "pass")

    def test_a_change_after_sealing_fails_for_both(self):
        path, _ = self.cqlist_seal(self.write("plain3.eml", MESSAGE), "cq-tamper.eml")
        with open(path, "rb") as f:
            tampered = self.write("tampered.eml", f.read().replace(b"at ten", b"at six"))
        self.assertEqual(self.dkimpy_verify(tampered)["cv"], "fail")
        self.assertEqual(self.cqlist_arc(tampered)["result"], "fail")
        # The next cqlist hop seals the broken chain with cv=fail, which ends it for dkimpy
        # too, and after that nobody may extend it.
        closed, _ = self.cqlist_seal(tampered, "closed.eml", selector="cq2", domain="relay.test")
        with open(closed, "rb") as f:
            seal = tags(field_values(f.read(), "ARC-Seal")[0])
        self.assertEqual((seal["i"], seal["cv"]), ("2", "fail"))
        verdict = self.dkimpy_verify(closed)
        self.assertEqual(verdict["cv"], "ended")
        self.assertEqual(verdict["reason"],
                         "ARC-Seal[2] reported failure, the chain is terminated")
        _, err = self.cqlist_seal(closed, "refused.eml", exit_code=65)
        self.assertIn("no ARC set added: the newest ARC-Seal already says cv=fail", err)
        with open(self.path("refused.eml"), "rb") as f, open(closed, "rb") as g:
            self.assertEqual(f.read(), g.read())

    # --- chains of both sealers ---------------------------------------------------------------

    def test_dkimpy_first_then_cqlist(self):
        received = self.write("fwd-in.eml",
                              b"Authentication-Results: forwarder.test; spf=pass "
                              b"smtp.mailfrom=author.test\r\n" + MESSAGE)
        hop1 = self.dkimpy_seal(received, "fwd1.eml")
        path, _ = self.cqlist_seal(hop1, "fwd1-cq2.eml")
        with open(path, "rb") as f:
            sealed = f.read()
        self.assertIn(b"ARC-Authentication-Results: i=2; lists.example.test;", sealed)
        seal = tags(field_values(sealed, "ARC-Seal")[0])
        self.assertEqual((seal["i"], seal["cv"]), ("2", "pass"))
        # cqlist's hop recorded the incoming chain it validated.
        self.assertIn("arc=pass (i=1) header.oldest-pass=0",
                      field_values(sealed, "ARC-Authentication-Results")[0])
        self.assertEqual(self.dkimpy_verify(path), {"cv": "pass", "reason": "success",
                                                    "sets": 2})
        arc = self.cqlist_arc(path)
        self.assertEqual(arc["result"], "pass")
        self.assertEqual(len(arc["details"]), 2)

    def test_cqlist_then_dkimpy_then_cqlist(self):
        hop1, _ = self.cqlist_seal(self.write("three.eml", MESSAGE), "three-1.eml")
        # dkimpy's hop takes cv from its own Authentication-Results: here the field that
        # `cqlist check` printed for it.
        _, out, _ = run_cqlist("check", "--json", "--authserv-id", "forwarder.test",
                               "--resolver", self.dns.address, hop1)
        field = json.loads(out)["authentication_results"]
        self.assertIn("arc=pass (i=1)", field)
        with open(hop1, "rb") as f:
            with_results = self.write(
                "three-ar.eml", field.replace("\n", "\r\n").encode() + b"\r\n" + f.read())
        hop2 = self.dkimpy_seal(with_results, "three-2.eml")
        with open(hop2, "rb") as f:
            seal = tags(field_values(f.read(), "ARC-Seal")[0])
        self.assertEqual((seal["i"], seal["cv"], seal["d"]), ("2", "pass", "forwarder.test"))
        hop3, _ = self.cqlist_seal(hop2, "three-3.eml", selector="cq2", domain="relay.test")
        self.assertEqual(self.dkimpy_verify(hop3), {"cv": "pass", "reason": "success",
                                                    "sets": 3})
        self.assertEqual(self.cqlist_arc(hop3)["result"], "pass")

    def test_usage_errors(self):
        _, _, err = run_cqlist("arc", "seal", "--domain", "lists.example.test", "--selector",
                               "cq", "--key", self.path("missing.pem"), "--authserv-id", "x",
                               self.write("usage.eml", MESSAGE), check_exit=66)
        self.assertIn("missing.pem", err)
        _, _, err = run_cqlist("arc", "seal", "--domain", "lists.example.test", "--selector",
                               "cq", check_exit=64)
        self.assertIn("--key is required", err)


if __name__ == "__main__":
    main()

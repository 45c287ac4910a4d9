"""DKIM interoperability: cqlist against dkimpy, opendkim and Mail::DKIM, through real DNS.

A real unbound on loopback serves the key records (cqlist's own keys made with
`cqlist dkim keygen`, and keys made by dkimpy's dknewkey and opendkim-genkey). Messages
signed by `cqlist dkim sign` in every canonicalization must verify with each independent
implementation, and messages they sign must verify with `cqlist check`. opendkim signs through
the filter's own test mode (`opendkim -t`, package opendkim), which uses its configured
rsa-sha256; opendkim-testmsg can only sign with rsa-sha1.

The independent implementations are Debian packages (tools/install-deps.sh): python3-dkim
and python3-dnspython run under /usr/bin/python3 (the interpreter running this test may be
another one), libmail-dkim-perl with libnet-dns-perl, opendkim-tools, opendkim. opendkim-testmsg
resolves through the C library's /etc/resolv.conf, which takes no port, so it runs in a
private network and mount namespace (unshare) with its own unbound on 127.0.0.1:53 and a
bind-mounted resolv.conf; that needs root or CAP_SYS_ADMIN.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile

from dkim_keys import dkimpy_key
from harness import ScratchDirTest, main, run_cqlist
from loopback_dns import LoopbackDns, txt

DOMAIN = "interop.cqlist.test"
SYSTEM_PYTHON = "/usr/bin/python3"
CANONICALIZATIONS = ["relaxed/relaxed", "simple/simple", "relaxed/simple", "simple/relaxed"]
# Signing time well inside the keys' life; --at for cqlist check is "now".
MESSAGE = (
    "From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\r\n"
    "To: cq-test@interop.cqlist.test\r\n"
    "Subject:  =?ISO-2022-JP?B?GyRCTDVAVzUhJE5AX0RqGyhC?=\r\n"
    "\tfolded   with  spaces \r\n"
    "Date: Fri, 27 Nov 2026 21:00:37 +0900\r\n"
    "Message-ID: <20261127.interop@example.jp>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "List-Id: CQ test <cq-test.interop.cqlist.test>\r\n"
    "\r\n"
    "Trailing spaces here   \r\n"
    "Inner  runs\tof white  space\r\n"
    "\r\n"
    "\r\n").encode()

DKIMPY_VERIFY = r"""
import sys, dkim, dns.resolver
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ["127.0.0.1"]
resolver.port = int(sys.argv[1])
def dnsfunc(name, timeout=5):
    try:
        answer = resolver.resolve(name.decode(), "TXT", lifetime=timeout)
    except Exception:
        return None
    for record in answer:
        return b"".join(record.strings)
for path in sys.argv[2:]:
    message = open(path, "rb").read()
    checker = dkim.DKIM(message)
    count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
    results = ["pass" if checker.verify(idx=i, dnsfunc=dnsfunc) else "fail" for i in range(count)]
    print(path, " ".join(results) or "none")
"""

DKIMPY_SIGN = r"""
import sys, dkim
message_path, selector, domain, key_path, algorithm, canonicalization = sys.argv[1:7]
message = open(message_path, "rb").read()
key = open(key_path, "rb").read()
header, body = canonicalization.encode().split(b"/")
field = dkim.sign(message, selector.encode(), domain.encode(), key,
                  canonicalize=(header, body), signature_algorithm=algorithm.encode(),
                  include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
sys.stdout.buffer.write(field + message)
"""

MAIL_DKIM_VERIFY = r"""
use strict; use warnings;
use Mail::DKIM::Verifier; use Mail::DKIM::DNS; use Net::DNS::Resolver;
my $port = shift @ARGV;
my $resolver = Net::DNS::Resolver->new(nameservers => ['127.0.0.1'], port => $port,
                                       recurse => 1, udp_timeout => 5, tcp_timeout => 5);
Mail::DKIM::DNS::resolver($resolver);
for my $path (@ARGV) {
    open(my $fh, '<:raw', $path) or die "$path: $!";
    my $verifier = Mail::DKIM::Verifier->new();
    while (<$fh>) { $verifier->PRINT($_); }
    $verifier->CLOSE();
    my @results = map { $_->result } $verifier->signatures;
    print "$path @results\n";
}
"""


def txt_records(records):
    """LoopbackDns records from {name: [character-strings]}."""
    return {name: [txt(*strings)] for name, strings in records.items()}


def read_text(path):
    with open(path, encoding="ascii") as f:
        return f.read()


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def quoted_strings(text):
    return re.findall(r'"((?:[^"\\]|\\.)*)"', text)


class DkimInterop(ScratchDirTest):
    @classmethod
    def setUpClass(cls):
        for tool in ("unbound", "opendkim", "opendkim-testmsg", "opendkim-genkey", "dknewkey",
                     "perl"):
            if shutil.which(tool) is None and not os.path.exists("/usr/sbin/" + tool):
                raise AssertionError(f"{tool} is missing: run tools/install-deps.sh")
        cls.dir = tempfile.mkdtemp(prefix="cqlist-dkim-interop-")
        cls.records = {}
        cls.keygen_output = {}
        try:
            cls._make_keys()
            cls._start_unbound()
            cls._sign_with_cqlist()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def _make_keys(cls):
        for selector, algorithm in (("cqrsa", "rsa2048"), ("cqed", "ed25519")):
            _, out, _ = run_cqlist("dkim", "keygen", "--domain", DOMAIN, "--selector", selector,
                                   "--algorithm", algorithm, "--out", cls.path(selector + ".pem"),
                                   check_exit=0)
            cls.keygen_output[selector] = out
            line = next(l for l in out.splitlines() if " IN TXT " in l)
            cls.records[line.split()[0].rstrip(".")] = quoted_strings(line)
        # dkimpy's own key generator: RSA (PKCS#1 PEM) and Ed25519 (base64 seed).
        for selector, ktype in (("pyrsa", "rsa"), ("pyed", "ed25519")):
            _, name, strings = dkimpy_key(cls.dir, selector, DOMAIN, ktype)
            cls.records[name] = strings
        subprocess.run(["opendkim-genkey", "-D", cls.dir, "-d", DOMAIN, "-s", "odk"], check=True,
                       capture_output=True)
        cls.records[f"odk._domainkey.{DOMAIN}"] = quoted_strings(read_text(cls.path("odk.txt")))
        with open(cls.path("message.eml"), "wb") as f:
            f.write(MESSAGE)

    @classmethod
    def _start_unbound(cls):
        # "jp" too: DMARC looks up the author's domain (example.jp), which must not leave
        # the machine.
        cls.dns = LoopbackDns(txt_records(cls.records), zones=[DOMAIN, "jp"],
                              probe_name=f"cqrsa._domainkey.{DOMAIN}").start()
        cls.port = cls.dns.port

    @classmethod
    def _sign_with_cqlist(cls):
        cls.cqlist_signed = []  # (path, selector)
        for selector in ("cqrsa", "cqed"):
            for canon in CANONICALIZATIONS:
                _, out, _ = run_cqlist("dkim", "sign", "--domain", DOMAIN, "--selector", selector,
                                       "--key", cls.path(selector + ".pem"),
                                       "--canonicalization", canon, cls.path("message.eml"),
                                       check_exit=0)
                path = cls.path(f"cqlist-{selector}-{canon.replace('/', '-')}.eml")
                with open(path, "wb") as f:
                    f.write(out.encode("utf-8"))
                cls.cqlist_signed.append((path, selector))
        _, out, _ = run_cqlist("dkim", "sign", "--domain", DOMAIN, "--selector", "cqed",
                               "--selector", "cqrsa", "--key", cls.path("cqed.pem"), "--key",
                               cls.path("cqrsa.pem"), cls.path("message.eml"), check_exit=0)
        cls.dual_signed = cls.path("cqlist-dual.eml")
        with open(cls.dual_signed, "wb") as f:
            f.write(out.encode("utf-8"))

    def check_json(self, path, exit_code=0):
        """The DKIM results of `cqlist check --json`. The author's domain publishes no DMARC
        policy, so a passing signature authenticates the message (exit 0) and anything else
        does not (1)."""
        _, out, _ = run_cqlist("check", "--json", "--resolver", f"127.0.0.1@{self.port}", path,
                               check_exit=exit_code)
        data = json.loads(out)
        dmarc = next(r for r in data["results"] if r["method"] == "dmarc")
        self.assertEqual(dmarc["result"], "none", dmarc)
        return [r for r in data["results"] if r["method"] == "dkim"]

    def results_by_file(self, output):
        results = {}
        for line in output.splitlines():
            path, _, words = line.partition(" ")
            results[path] = words.split()
        return results

    # --- cqlist's own tooling -------------------------------------------------------------

    def test_keygen_writes_owner_only_key_and_refuses_to_overwrite(self):
        key = self.path("cqrsa.pem")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        before = read_bytes(key)
        self.assertTrue(before.startswith(b"-----BEGIN PRIVATE KEY-----"))
        code, out, err = run_cqlist("dkim", "keygen", "--domain", DOMAIN, "--selector", "cqrsa",
                                    "--out", key)
        self.assertEqual(code, 64)
        self.assertIn("already exists", err)
        self.assertEqual(out, "")
        self.assertEqual(read_bytes(key), before)

    def test_keygen_record_fits_dns_strings_and_says_where_to_publish(self):
        out = self.keygen_output["cqrsa"]
        strings = self.records[f"cqrsa._domainkey.{DOMAIN}"]
        self.assertEqual(len(strings), 2)
        self.assertTrue(all(len(s) <= 255 for s in strings))
        self.assertTrue(strings[0].startswith("v=DKIM1; k=rsa; p=MIIBIjAN"))
        self.assertIn(f"TXT record named cqrsa._domainkey.{DOMAIN}", out)
        self.assertIn("TXT レコード", out)
        ed = self.records[f"cqed._domainkey.{DOMAIN}"]
        self.assertEqual(len(ed), 1)
        self.assertRegex(ed[0], r"^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$")

    def test_cqlist_verifies_what_it_signed_and_spots_tampering(self):
        for path, selector in self.cqlist_signed:
            results = self.check_json(path)
            self.assertEqual([r["result"] for r in results], ["pass"], path)
            self.assertEqual(results[0]["header.s"], selector)
        tampered = self.path("tampered.eml")
        with open(self.cqlist_signed[0][0], "rb") as f:
            data = f.read().replace(b"Inner  runs", b"Inner  ruins")
        with open(tampered, "wb") as f:
            f.write(data)
        results = self.check_json(tampered, exit_code=1)
        self.assertEqual(results[0]["result"], "fail")
        self.assertIn("body hash", results[0]["reason"])

    def test_check_prints_authentication_results(self):
        _, out, _ = run_cqlist("check", "--authserv-id", "mx.example.net", "--resolver",
                               f"127.0.0.1@{self.port}", self.dual_signed, check_exit=0)
        self.assertIn("Authentication-Results: mx.example.net;\n\tdkim=pass (256-bit key) "
                      f"header.d={DOMAIN}\n\theader.i=@{DOMAIN} header.s=cqed "
                      "header.a=ed25519-sha256\n\theader.b=", out)
        self.assertIn(f"\tdkim=pass (2048-bit key) header.d={DOMAIN}\n", out)
        self.assertIn(";\n\tarc=none;\n\tdmarc=none reason=\"example.jp publishes no DMARC "
                      "policy\"\n\theader.from=example.jp\n", out)
        self.assertIn(f"DKIM signature 2 (d={DOMAIN}, s=cqrsa, rsa-sha256): pass", out)
        self.assertIn(f"Verdict: authenticated\n  example.jp publishes no DMARC policy, and "
                      f"DKIM for {DOMAIN} passed", out)

    # --- signed by cqlist, verified by others ---------------------------------------------

    def test_dkimpy_verifies_cqlist_signatures(self):
        paths = [p for p, _ in self.cqlist_signed] + [self.dual_signed]
        proc = subprocess.run([SYSTEM_PYTHON, "-c", DKIMPY_VERIFY, str(self.port), *paths],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        results = self.results_by_file(proc.stdout)
        self.assertEqual(len(results), 9)
        for path in paths[:-1]:
            self.assertEqual(results[path], ["pass"], path)
        self.assertEqual(results[self.dual_signed], ["pass", "pass"])

    def test_mail_dkim_verifies_cqlist_rsa_signatures(self):
        paths = [p for p, s in self.cqlist_signed if s == "cqrsa"]
        proc = subprocess.run(["perl", "-e", MAIL_DKIM_VERIFY, str(self.port), *paths],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        results = self.results_by_file(proc.stdout)
        self.assertEqual(len(results), 4)
        for path in paths:
            self.assertEqual(results[path], ["pass"], path)

    def test_opendkim_verifies_cqlist_signatures(self):
        paths = [p for p, _ in self.cqlist_signed]
        conf = self.path("unbound53.conf")
        with open(conf, "w") as f:
            f.write(LoopbackDns(txt_records(self.records), zones=[DOMAIN], port=53)
                    .config(self.dir))
        with open(self.path("resolv.conf"), "w") as f:
            f.write("nameserver 127.0.0.1\n")
        script = "\n".join([
            "set -e", "ip link set lo up",
            f"mount --bind {self.path('resolv.conf')} /etc/resolv.conf",
            f"unbound -d -c {conf} >/dev/null 2>&1 & server=$!",
            "trap 'kill $server' EXIT", "sleep 1", "set +e",
            *[f"opendkim-testmsg -C < {p} 2>&1; echo \"{p} $?\"" for p in paths], ""])
        probe = subprocess.run(["unshare", "-n", "-m", "true"], capture_output=True)
        # A refusal fails the test rather than skipping it: a green run must mean opendkim
        # really verified cqlist's signatures. Root (as in CI) can always do this.
        self.assertEqual(probe.returncode, 0,
                         "opendkim-testmsg needs a private network namespace (unshare -n -m), "
                         "which this environment refuses: " + probe.stderr.decode().strip())
        proc = subprocess.run(["unshare", "-n", "-m", "sh", "-c", script], capture_output=True,
                              text=True, timeout=120)
        statuses = {}
        for line in proc.stdout.splitlines():
            path, _, code = line.rpartition(" ")
            if path in paths:
                statuses[path] = code
        self.assertEqual(len(statuses), 8, proc.stdout + proc.stderr)
        for path in paths:
            self.assertEqual(statuses[path], "0", f"{path}\n{proc.stdout}")

    # --- signed by others, verified by cqlist ---------------------------------------------

    def test_cqlist_verifies_dkimpy_signatures(self):
        cases = 0
        for selector, algorithm in (("pyrsa", "rsa-sha256"), ("pyed", "ed25519-sha256")):
            for canon in CANONICALIZATIONS:
                proc = subprocess.run(
                    [SYSTEM_PYTHON, "-c", DKIMPY_SIGN, self.path("message.eml"), selector, DOMAIN,
                     self.path(selector + ".key"), algorithm, canon],
                    capture_output=True, timeout=60)
                self.assertEqual(proc.returncode, 0, proc.stderr.decode())
                path = self.path(f"dkimpy-{selector}-{canon.replace('/', '-')}.eml")
                with open(path, "wb") as f:
                    f.write(proc.stdout)
                results = self.check_json(path)
                self.assertEqual(len(results), 1)
                self.assertEqual(results[0]["result"], "pass", f"{path}: {results[0]['reason']}")
                self.assertEqual(results[0]["header.a"], algorithm)
                cases += 1
        self.assertEqual(cases, 8)

    def test_cqlist_verifies_opendkim_signatures(self):
        # The filter's test mode signs with its configuration (KeyTable, SigningTable,
        # rsa-sha256) and prints the DKIM-Signature field it would add.
        with open(self.path("keytable"), "w") as f:
            f.write(f"odk {DOMAIN}:odk:{self.path('odk.private')}\n")
        with open(self.path("signingtable"), "w") as f:
            f.write("*@example.jp odk\n")
        # The test mode hands header fields over as a milter does, without the white space
        # after the colon, so "Subject:  x" is signed as "Subject: x": simple header
        # canonicalization needs a message with one space there (dkimpy agrees).
        message = MESSAGE.replace(b"Subject:  ", b"Subject: ")
        with open(self.path("message-one-space.eml"), "wb") as f:
            f.write(message)
        paths = []
        for canon in ("relaxed/relaxed", "simple/simple", "relaxed/simple"):
            conf = self.path(f"opendkim-{canon.replace('/', '-')}.conf")
            with open(conf, "w") as f:
                f.write("\n".join([
                    "Mode s", f"KeyTable file:{self.path('keytable')}",
                    f"SigningTable refile:{self.path('signingtable')}",
                    "SignatureAlgorithm rsa-sha256", f"Canonicalization {canon}",
                    # The key lives under /tmp, which opendkim calls unsafe (world-writable).
                    "RequireSafeKeys false", "Syslog no", ""]))
            proc = subprocess.run(["opendkim", "-x", conf, "-t",
                                   self.path("message-one-space.eml")],
                                  capture_output=True, timeout=60)
            self.assertEqual(proc.returncode, 0, proc.stderr.decode())
            # "opendkim: FILE:" then the field, folded with CRLF, ending in LF.
            field = proc.stdout.split(b"\n", 1)[1].rstrip(b"\r\n") + b"\r\n"
            self.assertTrue(field.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; "
                                             b"c=" + canon.encode() + b"; d=" +
                                             DOMAIN.encode()), field)
            path = self.path(f"opendkim-{canon.replace('/', '-')}.eml")
            with open(path, "wb") as f:
                f.write(field + message)
            paths.append(path)
            results = self.check_json(path)
            self.assertEqual(len(results), 1)
            self.assertEqual(results[0]["result"], "pass", f"{path}: {results[0]['reason']}")
            self.assertEqual(results[0]["header.s"], "odk")
            self.assertEqual(results[0]["header.a"], "rsa-sha256")
        check = subprocess.run([SYSTEM_PYTHON, "-c", DKIMPY_VERIFY, str(self.port), *paths],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(self.results_by_file(check.stdout),
                         {path: ["pass"] for path in paths}, check.stderr)

    def test_opendkim_signatures_are_read_but_rsa_sha1_is_refused(self):
        # opendkim-testmsg signs with rsa-sha1 and has no option to change it; RFC 8301 §3.1
        # forbids accepting rsa-sha1, so cqlist must give permerror while dkimpy (which still
        # accepts sha1) confirms the signature itself is sound.
        proc = subprocess.run(["opendkim-testmsg", "-C", "-d", DOMAIN, "-s", "odk", "-k",
                               self.path("odk.private")], input=MESSAGE, capture_output=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        signed = proc.stdout
        self.assertIn(b"a=rsa-sha1", signed)
        path = self.path("opendkim-signed.eml")
        with open(path, "wb") as f:
            f.write(signed)
        check = subprocess.run([SYSTEM_PYTHON, "-c", DKIMPY_VERIFY, str(self.port), path],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(self.results_by_file(check.stdout).get(path), ["pass"], check.stderr)
        results = self.check_json(path, exit_code=1)
        self.assertEqual(results[0]["result"], "permerror")
        self.assertIn("rsa-sha1", results[0]["reason"])


if __name__ == "__main__":
    main()

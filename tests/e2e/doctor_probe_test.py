"""`cqlist doctor --probe`: the SMTP probes against real servers on loopback.

A small SMTP server stands in for two roles, each on its own port of 127.0.0.1:
- the large provider's MX, which echoes the client address in its EHLO reply as Gmail does
  ("250-mx.google.com at your service, [2001:db8::1]"): the probe must read 127.0.0.1 back;
- the list domain's MX hosts (found through a real unbound serving the MX records): one
  server offers STARTTLS with a certificate for mx.cq-test.example issued by a test CA made
  with openssl, another offers no STARTTLS at all.
TLS-03 passes when the test CA is trusted (--ca-file), warns about the untrusted chain when
it is not, about the name when the certificate names another host, and about the missing
STARTTLS. The servers record every command: the probe must never send MAIL, RCPT or DATA.
"""
import json
import socket
import ssl
import subprocess
import tempfile
import threading

from harness import ScratchDirTest, main, run_cqlist
from loopback_dns import LoopbackDns, txt

DOMAIN = "cq-test.example"
MX = "mx.cq-test.example"
ALT = "alt.cq-test.example"  # an MX whose certificate names another host (MX)


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(directory):
    """A test CA and a certificate for MX signed by it; returns (ca.pem, cert.pem, key.pem)."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "2", "-subj", "/CN=cqlist test CA", cwd=directory)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "mx.key", "-out", "mx.csr",
            "-subj", f"/CN={MX}", cwd=directory)
    with open(f"{directory}/ext.cnf", "w", encoding="ascii") as f:
        f.write(f"subjectAltName = DNS:{MX}\n")
    openssl("x509", "-req", "-in", "mx.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "mx.pem", "-days", "2", "-extfile", "ext.cnf",
            cwd=directory)
    return f"{directory}/ca.pem", f"{directory}/mx.pem", f"{directory}/mx.key"


class FakeSmtp:
    """An SMTP server on 127.0.0.1 that answers EHLO (echoing the client's address),
    STARTTLS when given a TLS context, and QUIT; anything else gets 502 and is recorded."""

    def __init__(self, name, tls=None):
        self.name = name
        self.tls = tls
        self.commands = []
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.accept_loop, daemon=True)
        self.thread.start()

    def accept_loop(self):
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(conn, peer[0]), daemon=True).start()

    def session(self, conn, client):
        conn.settimeout(20)
        buffer = b""

        def line():
            nonlocal buffer
            while b"\n" not in buffer:
                data = conn.recv(4096)
                if not data:
                    return None
                buffer += data
            text, buffer = buffer.split(b"\n", 1)
            return text.rstrip(b"\r").decode("ascii", errors="replace")

        try:
            conn.sendall(f"220 {self.name} ESMTP ready\r\n".encode())
            while True:
                command = line()
                if command is None:
                    return
                verb = command.split(" ", 1)[0].upper()
                with self.lock:
                    self.commands.append(verb)
                if verb == "EHLO":
                    extensions = ["PIPELINING"] + (["STARTTLS"] if self.tls else []) + ["8BITMIME"]
                    reply = [f"{self.name} at your service, [{client}]"] + extensions
                    conn.sendall("".join(f"250{'-' if i < len(reply) - 1 else ' '}{text}\r\n"
                                         for i, text in enumerate(reply)).encode())
                elif verb == "STARTTLS" and self.tls and not isinstance(conn, ssl.SSLSocket):
                    conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                    try:
                        conn = self.tls.wrap_socket(conn, server_side=True)
                    except (ssl.SSLError, OSError):
                        return
                    buffer = b""
                elif verb == "QUIT":
                    conn.sendall(b"221 2.0.0 Bye\r\n")
                    return
                else:
                    conn.sendall(b"502 5.5.2 Not in this test\r\n")
        except OSError:
            return
        finally:
            conn.close()

    def seen(self):
        with self.lock:
            return list(self.commands)

    def stop(self):
        self.sock.close()


def by_id(doc, finding_id, subject=None):
    return [f for f in doc["findings"]
            if f["id"] == finding_id and (subject is None or f["subject"] == subject)]


class DoctorProbe(ScratchDirTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-probe-")
        cls.servers = []
        try:
            cls.ca, cert, key = make_certificates(cls.dir)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            cls.provider = FakeSmtp("mx.google.example", tls=context)
            cls.mx_tls = FakeSmtp(MX, tls=context)
            cls.mx_plain = FakeSmtp(MX)
            cls.servers = [cls.provider, cls.mx_tls, cls.mx_plain]
            cls.dns = LoopbackDns({
                DOMAIN: [("MX", f"10 {MX}."), ("MX", f"20 {ALT}."), txt("v=spf1 -all")],
                MX: [("A", "127.0.0.1")],
                ALT: [("A", "127.0.0.1")],
            }, zones=["example"]).start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for server in getattr(cls, "servers", []):
            server.stop()
        super().tearDownClass()

    def doctor(self, ip, mx_port, *extra):
        code, out, err = run_cqlist(
            "doctor", "--domain", DOMAIN, "--ip", ip, "--no-postfix", "--dnsbl", "none",
            "--resolver", self.dns.address, "--only", "OUT", "--only", "TLS", "--json",
            "--probe", "--probe-host", f"127.0.0.1:{self.provider.port}",
            "--probe-mx-port", str(mx_port), *extra)
        self.assertIn(code, (0, 1, 2), err)
        return code, json.loads(out)

    def assert_only_harmless_commands(self):
        for server in self.servers:
            for verb in server.seen():
                self.assertIn(verb, ("EHLO", "HELO", "STARTTLS", "QUIT"), server.name)

    def test_probe_reads_back_the_address_the_provider_saw(self):
        _, doc = self.doctor("192.0.2.25", self.mx_tls.port, "--ca-file", self.ca)
        seen = by_id(doc, "OUT-01", "127.0.0.1")
        self.assertEqual(len(seen), 1, doc["findings"])
        self.assertEqual(seen[0]["severity"], "WARN")
        self.assertIn("but the doctor checked 192.0.2.25", seen[0]["problem"])
        self.assertIn("at your service, [127.0.0.1]", seen[0]["found"][0])
        # The provider offered STARTTLS: the probe upgraded and greeted again, then left.
        self.assertIn("STARTTLS", self.provider.seen())
        self.assertEqual(self.provider.seen()[-1], "QUIT")
        self.assert_only_harmless_commands()

    def test_probe_passes_when_the_seen_address_is_the_one_checked(self):
        _, doc = self.doctor("127.0.0.1", self.mx_tls.port, "--ca-file", self.ca)
        seen = by_id(doc, "OUT-01", "127.0.0.1")
        self.assertEqual(len(seen), 1, doc["findings"])
        self.assertEqual(seen[0]["severity"], "PASS")

    def test_mx_certificate_verified_with_the_test_ca_passes(self):
        _, doc = self.doctor("127.0.0.1", self.mx_tls.port, "--ca-file", self.ca)
        tls = by_id(doc, "TLS-03", MX)
        self.assertEqual(len(tls), 1, doc["findings"])
        self.assertEqual(tls[0]["severity"], "PASS", tls[0])
        self.assertEqual(tls[0]["applies"], "inbound")
        self.assertIn("certificate verified", tls[0]["found"][0])
        # The same certificate served for the other MX name does not name that host.
        alt = by_id(doc, "TLS-03", ALT)
        self.assertEqual(len(alt), 1, doc["findings"])
        self.assertEqual(alt[0]["severity"], "WARN")
        self.assertIn("mismatch", alt[0]["problem"].lower())
        self.assert_only_harmless_commands()

    def test_mx_certificate_from_an_unknown_ca_warns(self):
        code, doc = self.doctor("127.0.0.1", self.mx_tls.port)
        tls = by_id(doc, "TLS-03", MX)
        self.assertEqual(len(tls), 1, doc["findings"])
        self.assertEqual(tls[0]["severity"], "WARN")
        self.assertIn("unable to get local issuer certificate", tls[0]["problem"])
        self.assertIn(f"certbot certonly -d {MX}", tls[0]["fix"]["summary"])
        self.assertEqual(code, 1)

    def test_mx_without_starttls_warns(self):
        _, doc = self.doctor("127.0.0.1", self.mx_plain.port, "--ca-file", self.ca)
        tls = by_id(doc, "TLS-03", MX)
        self.assertEqual(len(tls), 1, doc["findings"])
        self.assertEqual(tls[0]["severity"], "WARN")
        self.assertEqual(tls[0]["title"], f"MX {MX} does not offer STARTTLS")
        self.assertNotIn("STARTTLS", self.mx_plain.seen())
        self.assertIn("QUIT", self.mx_plain.seen())
        self.assert_only_harmless_commands()

    def test_without_probe_nothing_connects(self):
        before = [len(server.seen()) for server in self.servers]
        code, out, err = run_cqlist(
            "doctor", "--domain", DOMAIN, "--ip", "127.0.0.1", "--no-postfix", "--dnsbl",
            "none", "--resolver", self.dns.address, "--only", "TLS", "--json",
            "--probe-host", f"127.0.0.1:{self.provider.port}",
            "--probe-mx-port", str(self.mx_tls.port))
        self.assertIn(code, (0, 1), err)
        self.assertEqual(by_id(json.loads(out), "TLS-03"), [])
        self.assertEqual([len(server.seen()) for server in self.servers], before)

    def test_unreadable_probe_host_is_a_usage_error(self):
        code, _, err = run_cqlist("doctor", "--domain", DOMAIN, "--probe", "--probe-host",
                                  "127.0.0.1:smtp")
        self.assertEqual(code, 64)
        self.assertIn("HOST:PORT", err)


if __name__ == "__main__":
    main()

"""`cqlist dmarc DOMAIN`: the DMARC policy for a From domain, found through a real unbound.

A real unbound on loopback (temporary config with local-data, killed by PID) serves the
_dmarc records; cqlist's libunbound resolver is pointed at it with --resolver. The whole
"test." zone is local so the walk up to the top-level domain never leaves the machine.
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import unittest

from harness import Env, main, run_cqlist

RECORDS = {
    "_dmarc.example.test": ["v=DMARC1; p=reject; rua=mailto:dmarc@example.test"],
    "_dmarc.broken.test": ["v=DMARC1 p=reject"],
    "_dmarc.oldtags.test": ["v=DMARC1; p=quarantine; pct=50"],
}


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port, name):
    """True when the server at 127.0.0.1:port answers a TXT query for name with NOERROR."""
    query = struct.pack(">HHHHHH", 0x4352, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        query += bytes([len(label)]) + label.encode()
    query += b"\0" + struct.pack(">HH", 16, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.3)
        try:
            sock.sendto(query, ("127.0.0.1", port))
            reply = sock.recv(4096)
        except OSError:
            return False
    return len(reply) > 12 and reply[:2] == query[:2] and (reply[3] & 0x0F) == 0


def unbound_config(directory, port):
    lines = ["server:", "  interface: 127.0.0.1", f"  port: {port}", "  do-daemonize: no",
             '  chroot: ""', '  username: ""', f'  directory: "{directory}"', '  pidfile: ""',
             "  use-syslog: no", "  do-ip6: no", '  module-config: "iterator"',
             '  local-zone: "test." static']
    for name, strings in RECORDS.items():
        quoted = " ".join('"' + s + '"' for s in strings)
        lines.append(f"  local-data: '{name}. 300 IN TXT {quoted}'")
    lines += ["remote-control:", "  control-enable: no", ""]
    return "\n".join(lines)


class DmarcCommand(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("unbound") is None:
            raise unittest.SkipTest("unbound is not installed (tools/install-deps.sh)")
        cls.dir = tempfile.mkdtemp(prefix="cqlist-dmarc-e2e-")
        cls.unbound = None
        try:
            cls.port = free_port()
            config = os.path.join(cls.dir, "unbound.conf")
            with open(config, "w") as f:
                f.write(unbound_config(cls.dir, cls.port))
            cls.unbound = subprocess.Popen(["unbound", "-d", "-c", config],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 15
            while not answers(cls.port, "_dmarc.example.test"):
                if cls.unbound.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"unbound did not start on port {cls.port}")
                time.sleep(0.1)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.unbound is not None:
            os.kill(cls.unbound.pid, signal.SIGTERM)
            try:
                cls.unbound.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(cls.unbound.pid, signal.SIGKILL)
                cls.unbound.wait()
            cls.unbound = None
        shutil.rmtree(cls.dir, ignore_errors=True)

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

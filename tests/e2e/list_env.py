"""The list server as the end-to-end tests that post through Postfix build it, in one place:

  LoopbackDns (unbound) serves the list domains' and the posters' SPF/DKIM/DMARC;
  swaks (XCLIENT: the poster's server) -> PrivatePostfix smtpd
  PrivatePostfix --transport LIST_DOMAIN--> cqlist serve (LMTP, XFORWARD)
  cqlist serve --SMTP, XVERP--> PrivatePostfix reinject listener --relayhost--> StrictSink
The sink plays the Internet address LIST_SERVER_IP, which the list domain's SPF authorises.

    class MyTest(ListServerCase):
        @classmethod
        def setUpClass(cls):
            cls.make_dir("cqlist-my-")
            key, key_records = cls.key(LIST_DOMAIN, "rsa1")
            cls.start_mail_system({**list_domain_records(LIST_DOMAIN, key_records), ...},
                                  [LIST_DOMAIN])
            cls.cqlist("list", "create", ...)
            cls.start_server()

What differs between tests is a parameter: the sink's refused recipients, further Postfix
transports, a policy listener (whose restriction lines Postfix takes from
`cqlist postfix-config`, see postfix_main_cf); a test that needs another cqlist.toml
calls restart_server(**options), and restart_server() brings the class's back. Everything
is stopped and removed at the end of the class (CQLIST_KEEP_TEST_DIR=1 keeps the directory).
"""
import email
import email.policy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

from dkim_keys import cqlist_key
from harness import Env, run_cqlist
from loopback_dns import LoopbackDns, txt
from private_postfix import PrivatePostfix, free_tcp_port
from strict_sink import StrictSink

LIST_SERVER_IP = "192.0.2.25"     # the list server's Internet address, as the sink sees it
POSTER_SERVER_IP = "203.0.113.9"  # the posters' mail server, authorised by their SPF
POSTER_HELO = "mail.poster.example"
HOSTNAME = "lists.cq-test.example"
ZONE = "cq-test.example"


def cqlist_toml(data_dir, dns_address, *, relay_port=None, lmtp_port=None, http_port=None,
                policy_port=None, hostname=HOSTNAME, xforward_hosts=None):
    """cqlist.toml for a test: listeners on 127.0.0.1, the relay without STARTTLS;
    xforward_hosts (addresses or networks) replaces the LMTP listener's default (loopback)."""
    text = f'data_dir = "{data_dir}"\nhostname = "{hostname}"\n'
    for section, port in (("lmtp", lmtp_port), ("http", http_port), ("policy", policy_port)):
        settings = f'listen = "127.0.0.1:{port}"\n' if port is not None else ""
        if section == "lmtp" and xforward_hosts is not None:
            settings += f"xforward_hosts = {json.dumps(list(xforward_hosts))}\n"
        if settings:
            text += f"[{section}]\n{settings}"
    if relay_port is not None:
        text += f"[relay]\nport = {relay_port}\nstarttls = false\n"
    return text + f'[dns]\nresolver = "{dns_address}"\n'


def list_domain_records(domain, key_records):
    """A list domain in order: SPF for LIST_SERVER_IP, the DKIM keys, DMARC p=reject."""
    return {domain: [txt(f"v=spf1 ip4:{LIST_SERVER_IP} -all")], **key_records,
            f"_dmarc.{domain}": [txt("v=DMARC1; p=reject")]}


def poster_domain_records(domain, dmarc_policy):
    """A posters' domain whose SPF authorises POSTER_SERVER_IP."""
    return {domain: [txt(f"v=spf1 ip4:{POSTER_SERVER_IP} -all")],
            f"_dmarc.{domain}": [txt(f"v=DMARC1; p={dmarc_policy}")]}


def message(sender, to, subject, message_id=None, body="A line of list mail.\r\n",
            content_type="text/plain; charset=us-ascii", extra=""):
    """A mail as a poster's program writes it; a fresh Message-ID unless one is given."""
    message_id = message_id or f"{time.monotonic_ns()}@poster.{ZONE}"
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            "Date: Sat, 28 Nov 2026 10:00:00 +0900\r\n"
            f"Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n{extra}"
            f"Content-Type: {content_type}\r\n\r\n").encode() + (
                body if isinstance(body, bytes) else body.encode())


def parsed(copy):
    return email.message_from_bytes(copy, policy=email.policy.default)


def attached_articles(copy):
    """The message/rfc822 parts of a multipart/digest, as the exact bytes sent."""
    boundary = parsed(copy).get_boundary().encode()
    parts = copy.split(b"\r\n--" + boundary)[1:-1]
    out = []
    for part in parts:
        head, _, body = part.partition(b"\r\n\r\n")
        if b"message/rfc822" in head.lower() or b"Content-Type" not in head:
            out.append(body)
    return out


def header(copy, name):
    """The unfolded values of every `name` field in the header of a received copy."""
    head = copy.split(b"\r\n\r\n", 1)[0].decode("utf-8", errors="replace")
    unfolded = re.sub(r"\r\n[ \t]+", " ", head)
    return [line.split(":", 1)[1].strip() for line in unfolded.split("\r\n")
            if line.lower().startswith(name.lower() + ":")]


class CqlistServe:
    """One `cqlist serve` process, its output appended to log_path."""

    def __init__(self, config, log_path):
        self.config = config
        self.log_path = log_path
        self.process = None
        self.log = None

    def start(self, wait_for_ports=(), timeout=30):
        """Starts the daemon; returns once every port in wait_for_ports accepts."""
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([Env.cqlist, "serve", "--config", self.config],
                                        stdout=self.log, stderr=self.log)
        waiting = list(wait_for_ports)
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"cqlist serve exited {self.process.returncode}:\n"
                                     + self.log_text())
            try:
                socket.create_connection(("127.0.0.1", waiting[0]), timeout=0.2).close()
                waiting.pop(0)
            except OSError:
                time.sleep(0.05)
        if waiting:
            raise AssertionError(f"cqlist serve did not listen on {waiting}:\n"
                                 + self.log_text())

    def kill(self):
        """SIGKILL, as a crash would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.log.close()
        self.process = None

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.process = None

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")


class ListServerCase(unittest.TestCase):
    """Class-level fixture: cls.dir, cls.dns, cls.sink, cls.postfix, cls.config, cls.data_dir,
    cls.lmtp_port, cls.http_port, cls.policy_port (None without a policy listener)."""

    @classmethod
    def make_dir(cls, prefix):
        cls.dir = tempfile.mkdtemp(prefix=prefix)
        if not os.environ.get("CQLIST_KEEP_TEST_DIR"):
            cls.addClassCleanup(shutil.rmtree, cls.dir, ignore_errors=True)
        os.chmod(cls.dir, 0o755)  # Postfix daemons run as postfix and must reach their dirs

    @classmethod
    def key(cls, domain, selector, algorithm="rsa2048"):
        """`cqlist dkim keygen`: (private key path, {record name: [its TXT record]})."""
        path, name, strings = cqlist_key(cls.dir, selector, domain, algorithm)
        return path, {name: [txt(*strings)]}

    @classmethod
    def start_mail_system(cls, records, list_domains, *, reject_rcpts=None, transports=None,
                          policy=False, zones=()):
        """DNS (answering for ZONE and `zones`), the strict sink (refusing reject_rcpts
        {address: reply} at RCPT), cqlist.toml and Postfix, which sends list_domains to
        cqlist's LMTP and `transports` where they say; with policy, cqlist also listens for
        Postfix's policy requests."""
        cls.dns = LoopbackDns(records, zones=[ZONE, *zones]).start()
        cls.addClassCleanup(cls.dns.stop)
        # Gmail's rule for ordinary senders: refuse a DMARC failure under p=quarantine/reject,
        # or mail that passes neither SPF nor DKIM for any domain.
        cls.sink = StrictSink(os.path.join(cls.dir, "sink"), dns_port=cls.dns.port,
                              assume_client_ip=LIST_SERVER_IP, require_alignment=False,
                              reject_rcpts=reject_rcpts).start()
        cls.addClassCleanup(cls.sink.stop)

        cls.lmtp_port = free_tcp_port()
        cls.http_port = free_tcp_port()
        cls.policy_port = free_tcp_port() if policy else None
        cls.data_dir = os.path.join(cls.dir, "cqlist")
        cls.config = os.path.join(cls.dir, "cqlist.toml")
        cls.postfix = None
        # Written before Postfix exists (postfix_main_cf may read it), again with [relay].
        cls.write_config()
        lmtp = f"lmtp:inet:127.0.0.1:{cls.lmtp_port}"
        cls.postfix = PrivatePostfix(
            os.path.join(cls.dir, "postfix"), relay=("127.0.0.1", cls.sink.port),
            transports={**{domain: lmtp for domain in list_domains}, **(transports or {})},
            relay_domains=list(list_domains), main_cf=cls.postfix_main_cf())
        cls.addClassCleanup(cls.postfix.stop)
        cls.write_config()
        cls.postfix.start()

    @classmethod
    def write_config(cls, **options):
        """(Re)writes cls.config: the listeners, the relay once Postfix exists, and `options`
        (cqlist_toml's, e.g. xforward_hosts)."""
        relay_port = cls.postfix.reinject_port if cls.postfix is not None else None
        with open(cls.config, "w") as f:
            f.write(cqlist_toml(cls.data_dir, cls.dns.address, relay_port=relay_port,
                                lmtp_port=cls.lmtp_port, http_port=cls.http_port,
                                policy_port=cls.policy_port, **options))

    @classmethod
    def postfix_main_cf(cls):
        """Extra main.cf settings; cls.config exists, without [relay], when this is asked."""
        return {}

    @classmethod
    def start_server(cls):
        cls.server = CqlistServe(cls.config, os.path.join(cls.dir, "serve.log"))
        cls.addClassCleanup(cls.server.stop)
        cls.server.start(wait_for_ports=cls.server_ports())

    @classmethod
    def server_ports(cls):
        return [port for port in (cls.lmtp_port, cls.http_port, cls.policy_port)
                if port is not None]

    @classmethod
    def restart_server(cls, **options):
        """Stops cqlist serve, rewrites cls.config with `options` (write_config's) and starts
        it again; without options, the class's own configuration comes back."""
        cls.server.stop()
        cls.write_config(**options)
        cls.server.start(wait_for_ports=cls.server_ports())

    @classmethod
    def cqlist(cls, *args, check_exit=0, stdin=None):
        return run_cqlist(*args, "--config", cls.config, check_exit=check_exit, stdin=stdin)

    @classmethod
    def log_text(cls):
        return cls.server.log_text()

    def swaks(self, data, mail_from, rcpt, client_ip=POSTER_SERVER_IP, helo=POSTER_HELO):
        """Hands a mail to Postfix as the Internet would (XCLIENT from the poster's server);
        returns swaks's exit code and output."""
        path = os.path.join(self.dir, f"mail-{time.monotonic_ns()}.eml")
        with open(path, "wb") as f:
            f.write(data)
        proc = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(self.postfix.smtpd_port),
             "--helo", helo, "--xclient-helo", helo, "--xclient-addr", client_ip,
             "--xclient-name", "[UNAVAILABLE]", "--from", mail_from, "--to", rcpt,
             "--data", f"@{path}"], capture_output=True, timeout=60)
        return proc.returncode, (proc.stdout.decode(errors="replace")
                                 + proc.stderr.decode(errors="replace"))

    def send(self, data, mail_from, rcpt, **kwargs):
        """swaks, which must succeed (Postfix queued the mail)."""
        code, output = self.swaks(data, mail_from, rcpt, **kwargs)
        self.assertEqual(code, 0, f"swaks failed:\n{output}")

    def wait_for_mail(self, rcpt, where, timeout=60):
        """The first copy the sink accepted for rcpt that satisfies where(bytes)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.sink.messages_for(rcpt) if where(c)]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                subjects = [header(c, "Subject") for c in self.sink.messages_for(rcpt)]
                raise AssertionError(f"no matching mail for {rcpt} within {timeout} s; it got "
                                     f"{subjects}; rejected: {self.sink.rejected()}\n"
                                     f"server log:\n{self.log_text()[-4000:]}")
            time.sleep(0.1)

    def mail_with_subject(self, rcpt, part, **kwargs):
        """The first copy for rcpt whose decoded Subject contains part."""
        return self.wait_for_mail(
            rcpt, lambda c: part in str(parsed(c)["Subject"] or ""), **kwargs)

    def metric(self, name):
        """A counter of cqlist serve's /metrics."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5) as r:
            text = r.read().decode()
        self.assertIn(f"# TYPE {name} counter", text)
        return int(re.search(rf"^{name} (\d+)$", text, re.M).group(1))

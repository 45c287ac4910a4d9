"""A real unbound serving test zones on 127.0.0.1 (or another loopback address), for end-to-end
tests.

    with LoopbackDns({"example.test": [("TXT", '"v=spf1 -all"')]}, zones=["test"]) as dns:
        run_cqlist("spf", ..., "--resolver", dns.address)

Records are (type, rdata-in-zone-file-form) pairs. unbound runs as a child in the
foreground, on a free port, from a temporary directory; stop() kills it by PID.
"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time


def free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def txt(*strings):
    """A TXT record's rdata from its character-strings (each at most 255 bytes)."""
    return ("TXT", " ".join('"' + s + '"' for s in strings))


def answers(port, name, rtype=16, host="127.0.0.1"):
    """True when host:port answers a query for `name` with NOERROR and an answer."""
    query = struct.pack(">HHHHHH", 0x4351, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        query += bytes([len(label)]) + label.encode()
    query += b"\0" + struct.pack(">HH", rtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.3)
        try:
            sock.sendto(query, (host, port))
            reply = sock.recv(4096)
        except OSError:
            return False
    return (len(reply) > 12 and reply[:2] == query[:2] and (reply[3] & 0x0F) == 0
            and struct.unpack(">H", reply[6:8])[0] > 0)


class LoopbackDns:
    def __init__(self, records, zones, probe_name=None, port=None, host="127.0.0.1"):
        """`host` binds another loopback address (all of 127.0.0.0/8 is local on Linux), so
        several servers can share one port, as the name servers of one zone do."""
        self.records = records
        self.zones = zones
        self.probe_name = probe_name or next(iter(records))
        self.host = host
        self.fixed_port = port is not None
        self.port = port or free_port(host)
        self.process = None
        self.dir = None

    @property
    def address(self):
        return f"{self.host}@{self.port}"

    def config(self, directory):
        """unbound.conf text; `directory` holds unbound's working files."""
        lines = ["server:", f"  interface: {self.host}", f"  port: {self.port}",
                 "  do-daemonize: no", '  chroot: ""', '  username: ""',
                 f'  directory: "{directory}"', '  pidfile: ""', "  use-syslog: no",
                 "  do-ip6: no", '  module-config: "iterator"']
        for zone in self.zones:
            lines.append(f'  local-zone: "{zone}." static')
            lines.append(f"  local-data: '{zone}. 300 IN SOA localhost. nobody.invalid. "
                         "1 3600 600 86400 300'")
        for name, entries in self.records.items():
            for rtype, data in entries:
                lines.append(f"  local-data: '{name}. 300 IN {rtype} {data}'")
        lines += ["remote-control:", "  control-enable: no", ""]
        return "\n".join(lines)

    def start(self):
        """Starts unbound; a port taken meanwhile by another test (free_port() only finds a
        port that was free a moment ago) is retried on a fresh one unless the port was given."""
        for attempt in range(3):
            try:
                return self._start_once()
            except AssertionError:
                if self.fixed_port or attempt == 2:
                    raise
                self.port = free_port(self.host)
        return self

    def _start_once(self):
        unbound = shutil.which("unbound") or "/usr/sbin/unbound"
        if not os.path.exists(unbound):
            raise AssertionError("unbound is missing: run tools/install-deps.sh")
        self.dir = tempfile.mkdtemp(prefix="cqlist-dns-")
        conf = os.path.join(self.dir, "unbound.conf")
        with open(conf, "w", encoding="ascii") as f:
            f.write(self.config(self.dir))
        self.process = subprocess.Popen([unbound, "-d", "-c", conf], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while not answers(self.port, self.probe_name, host=self.host):
            if self.process.poll() is not None or time.monotonic() > deadline:
                err = (self.process.stderr.read().decode(errors="replace")
                       if self.process.poll() is not None else "no answer after 10 s")
                self.stop()
                raise AssertionError(f"unbound did not start on {self.address}: {err}")
            time.sleep(0.05)
        return self

    def stop(self):
        if self.process is not None:
            if self.process.poll() is None:  # it may have exited at start
                os.kill(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.kill(self.process.pid, signal.SIGKILL)
                    self.process.wait()
            self.process.stderr.close()
            self.process = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

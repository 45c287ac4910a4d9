"""A private Postfix instance on loopback for end-to-end tests, never the system's.

    with PrivatePostfix(directory, relay=("127.0.0.1", sink.port),
                        transports={"bounce.cq-test.example": f"smtp:[127.0.0.1]:{catcher.port}",
                                    "lists.example": f"lmtp:inet:127.0.0.1:{cqlist_port}"},
                        relay_domains=["lists.example"]) as postfix:
        swaks --server 127.0.0.1 --port postfix.smtpd_port ...
        postfix.wait_until_queue_empty()

Everything lives under `directory`: config_directory (main.cf, master.cf, transport),
queue_directory, data_directory (owned by postfix) and the mail log (Postfix 3.7 writes
maillog_file through postlogd, no syslog needed). master.cf is the system's with every
chroot column set to n (the queue is not a chroot jail), the `smtp inet` listener moved to
127.0.0.1:smtpd_port and, unless disabled, a second listener on 127.0.0.1:reinject_port
without content filters that accepts XVERP, like the one `cqlist postfix-config` prints
for cqlist's own output. DNS is off for the SMTP client (smtp_dns_support_level =
disabled): every next hop must be a [numeric] address, which is what tests use.

Clients on 127.0.0.0/8 may use XCLIENT (swaks --xclient-addr plays a poster's server),
XFORWARD and XVERP, and the LMTP client sends XFORWARD, so cqlist behind an lmtp transport
learns the posting client's address and HELO.

Runs as root (postfix start needs it); `directory` and its parents must be searchable by
the postfix user (tempfile.mkdtemp makes 0700: chmod it 0755). /etc/postfix and a system
master, if one runs, are never touched: every command gets `-c DIR`.
"""
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time

SYSTEM_MASTER_CF = "/etc/postfix/master.cf"
SYSTEM_MASTER_PID = "/var/spool/postfix/pid/master.pid"


def free_tcp_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accepts(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still answers kill(0); it has exited all the same.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children_of(pid):
    """PIDs whose parent is `pid` (Postfix daemons are children of the master)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def ancestors(path):
    parent = os.path.dirname(path)
    while parent != path:
        yield parent
        path, parent = parent, os.path.dirname(parent)


def system_master_pid():
    """The PID of a running system Postfix master, or None. Tests never depend on it."""
    try:
        with open(SYSTEM_MASTER_PID, encoding="ascii") as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def private_master_cf(system_text, smtpd_port, services):
    """The system master.cf with chroot off, smtpd on 127.0.0.1:smtpd_port, and `services`
    (complete master.cf entries, continuation lines included) appended."""
    out = []
    for line in system_text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            fields = line.split()
            if len(fields) >= 8:
                if fields[0] == "smtp" and fields[1] == "inet":
                    fields[0] = f"127.0.0.1:{smtpd_port}"
                fields[4] = "n"
                line = " ".join(fields)
        out.append(line)
    out += services
    return "\n".join(out) + "\n"


class PrivatePostfix:
    """One private Postfix instance.

    relay: (host, port) of the default next hop (relayhost [host]:port), or None to send
    everything through `transports` only (mail to other domains then defers).
    transports: {domain: "smtp:[127.0.0.1]:PORT" | "lmtp:inet:127.0.0.1:PORT" | "discard:" ...}
    written to a texthash transport_maps file.
    relay_domains: domains this Postfix accepts from anywhere (e.g. the list domain whose
    mail goes to cqlist over LMTP); clients in 127.0.0.0/8 may relay anywhere.
    main_cf: extra or overriding main.cf settings {name: value}.
    services: extra master.cf entries, each a complete text (may span lines).
    reinject: whether to add the 127.0.0.1:reinject_port smtpd without content filters.
    myhostname: this MTA's name; must differ from the next hops' greetings, or Postfix
    sees a mail loop.
    """

    def __init__(self, directory, relay=None, transports=None, relay_domains=(), main_cf=None,
                 services=(), reinject=True, myhostname="mta.cq-test.example"):
        self.dir = os.path.abspath(directory)
        self.config_dir = os.path.join(self.dir, "etc")
        self.queue_dir = os.path.join(self.dir, "queue")
        self.data_dir = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "maillog")
        self.relay = relay
        self.transports = dict(transports or {})
        self.relay_domains = list(relay_domains)
        self.extra_main_cf = dict(main_cf or {})
        self.extra_services = list(services)
        self.myhostname = myhostname
        self.smtpd_port = free_tcp_port()
        self.reinject_port = free_tcp_port() if reinject else None
        self.master_pid = None

    # --- configuration -------------------------------------------------------------------

    def main_cf(self):
        settings = {
            "compatibility_level": "3.6",
            "queue_directory": self.queue_dir,
            "data_directory": self.data_dir,
            "maillog_file": self.log_path,
            "maillog_file_prefixes": self.dir,
            "myhostname": self.myhostname,
            "mydomain": self.myhostname.split(".", 1)[-1],
            "myorigin": "$myhostname",
            # Nothing is delivered locally: local mail would need /etc/aliases and users.
            "mydestination": "",
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "biff": "no",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "relayhost": f"[{self.relay[0]}]:{self.relay[1]}" if self.relay else "",
            "relay_domains": " ".join(self.relay_domains),
            "transport_maps": f"texthash:{os.path.join(self.config_dir, 'transport')}",
            "smtpd_relay_restrictions": "permit_mynetworks reject_unauth_destination",
            "smtpd_recipient_restrictions": "",
            "smtp_dns_support_level": "disabled",
            "smtp_tls_security_level": "none",
            "smtpd_tls_security_level": "none",
            # Tests play the Internet from loopback: swaks --xclient-addr makes a post come
            # from the poster's server, and cqlist's LMTP gets that client in XFORWARD.
            "smtpd_authorized_xclient_hosts": "127.0.0.0/8",
            "smtpd_authorized_xforward_hosts": "127.0.0.0/8",
            "smtpd_authorized_verp_clients": "127.0.0.0/8",
            "lmtp_send_xforward_command": "yes",
            # Retries within seconds, so a deferred message does not stall a test.
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "delay_warning_time": "0h",
            "smtpd_banner": "$myhostname ESMTP private Postfix for cqlist tests",
        }
        settings.update(self.extra_main_cf)
        return "".join(f"{name} = {value}\n" for name, value in settings.items())

    def services(self):
        entries = []
        if self.reinject_port is not None:
            entries.append(
                f"127.0.0.1:{self.reinject_port} inet n - n - - smtpd\n"
                "  -o syslog_name=postfix/reinject\n"
                "  -o content_filter=\n"
                "  -o receive_override_options=no_unknown_recipient_checks,"
                "no_header_body_checks,no_milters\n"
                "  -o smtpd_authorized_verp_clients=127.0.0.0/8\n"
                "  -o smtpd_client_restrictions=\n"
                "  -o smtpd_relay_restrictions=permit_mynetworks,reject\n"
                "  -o mynetworks=127.0.0.0/8")
        return entries + self.extra_services

    def write_config(self):
        os.makedirs(self.config_dir, exist_ok=True)
        os.makedirs(self.queue_dir, exist_ok=True)
        os.makedirs(self.data_dir, exist_ok=True)
        postfix_user = pwd.getpwnam("postfix")
        os.chown(self.data_dir, postfix_user.pw_uid, postfix_user.pw_gid)
        os.chmod(self.dir, 0o755)
        for ancestor in ancestors(self.dir):
            if not os.stat(ancestor).st_mode & 0o001:
                raise AssertionError(
                    f"{ancestor} is not searchable by others: Postfix daemons run as "
                    f"'postfix' and must reach {self.data_dir} (chmod o+x, or use another "
                    "directory; tempfile.mkdtemp makes mode 0700)")
        with open(os.path.join(self.config_dir, "main.cf"), "w", encoding="utf-8") as f:
            f.write(self.main_cf())
        with open(SYSTEM_MASTER_CF, encoding="utf-8") as f:
            master = private_master_cf(f.read(), self.smtpd_port, self.services())
        with open(os.path.join(self.config_dir, "master.cf"), "w", encoding="utf-8") as f:
            f.write(master)
        with open(os.path.join(self.config_dir, "transport"), "w", encoding="utf-8") as f:
            f.writelines(f"{domain} {nexthop}\n" for domain, nexthop in self.transports.items())

    # --- running -------------------------------------------------------------------------

    def postfix(self, *args, check=True):
        proc = subprocess.run(["postfix", "-c", self.config_dir, *args], capture_output=True,
                              timeout=60)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"postfix -c {self.config_dir} {' '.join(args)} exited {proc.returncode}:\n"
                f"{proc.stdout.decode(errors='replace')}{proc.stderr.decode(errors='replace')}"
                f"\nmaillog:\n{self.log()}")
        return proc

    def start(self, timeout=30):
        if shutil.which("postfix") is None and not os.path.exists("/usr/sbin/postfix"):
            raise AssertionError("postfix is missing: run tools/install-deps.sh")
        self.write_config()
        self.postfix("start")
        deadline = time.monotonic() + timeout
        ports = [p for p in (self.smtpd_port, self.reinject_port) if p is not None]
        while True:
            self.master_pid = self.master_pid or self._read_master_pid()
            if self.master_pid is not None and all(accepts(p) for p in ports):
                return self
            if time.monotonic() > deadline:
                log = self.log()
                self.stop()
                raise AssertionError(
                    f"private Postfix in {self.dir} did not listen on {ports} within "
                    f"{timeout} s:\n{log}")
            time.sleep(0.05)

    def reload(self):
        """`postfix reload`: new daemons read main.cf and the maps again (texthash: files are
        read when a daemon starts); running ones finish what they do and exit."""
        self.postfix("reload")

    def _read_master_pid(self):
        try:
            with open(os.path.join(self.queue_dir, "pid", "master.pid"), encoding="ascii") as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            return None
        return pid if pid_alive(pid) else None

    def stop(self, timeout=15):
        """Stops this instance: `postfix stop`, then waits for the master to exit; kills it
        and its daemons by PID when it does not."""
        pid = self.master_pid or self._read_master_pid()
        if pid is None:
            return
        self.postfix("stop", check=False)
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_alive(pid):
            daemons = children_of(pid)
            for leftover in [pid, *daemons]:
                os.kill(leftover, signal.SIGKILL)
        self.master_pid = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- inspecting ----------------------------------------------------------------------

    def queue(self):
        """The queue as `postqueue -j` reports it: one dict per message (queue_name, sender,
        recipients with delay_reason, ...)."""
        proc = subprocess.run(["postqueue", "-c", self.config_dir, "-j"], capture_output=True,
                              timeout=30)
        if proc.returncode != 0:
            raise AssertionError(f"postqueue -j failed: {proc.stderr.decode(errors='replace')}")
        return [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]

    def flush(self):
        """Asks for an immediate retry of deferred mail (postqueue -f)."""
        subprocess.run(["postqueue", "-c", self.config_dir, "-f"], capture_output=True,
                       timeout=30, check=True)

    def wait_until_queue_empty(self, timeout=30):
        """Waits until every message left the queue (delivered or bounced); on timeout
        raises with the queue and the log."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.queue()
            if not left:
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"Postfix queue still holds {len(left)} message(s) after {timeout} s:\n"
                    f"{json.dumps(left, indent=1)}\nmaillog:\n{self.log()}")
            time.sleep(0.1)

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_for_log(self, pattern, timeout=30):
        """Waits until the mail log matches the regular expression; returns the match."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search(self.log())
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"mail log never matched {pattern!r}:\n{self.log()}")
            time.sleep(0.1)

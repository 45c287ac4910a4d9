"""`cqlist postfix-config`: the lines it prints must be what a real Postfix accepts
(`postconf -n`, `postfix check` without a warning), and a private Postfix running exactly
those lines must route list mail the way the comments say: to cqlist's LMTP address with
XFORWARD, refusing other addresses of the domain during the SMTP session, and taking
cqlist's output with XVERP on the loopback listener only.
"""
import os
import re
import shutil
import smtplib
import subprocess
import tempfile
import unittest

from harness import main, run_cqlist
from private_postfix import PrivatePostfix, free_tcp_port
from strict_sink import LmtpCatcher

LIST = "ham@lists.example"


def sections(output):
    """The postfix-config output split at its "# ---- /etc/postfix/FILE" headings:
    {"main.cf": text, ...} plus "commands" for what follows "# ---- Then run"."""
    found, current = {}, None
    for line in output.splitlines():
        heading = re.match(r"# ---- /etc/postfix/(\S+):", line)
        if heading:
            current = heading.group(1)
            found[current] = []
        elif line.startswith("# ---- Then run"):
            current = "commands"
            found[current] = []
        elif line.startswith("# ---- "):
            continue
        elif current is not None:
            found[current].append(line)
    return {name: "\n".join(lines) + "\n" for name, lines in found.items()}


def main_cf_settings(text, tables_dir):
    """name -> value of the main.cf lines, with /etc/postfix/ moved to tables_dir."""
    settings = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            settings[name.strip()] = value.strip().replace("/etc/postfix/", tables_dir + "/")
    return settings


def write_tables(parts, tables_dir, config_dir):
    os.makedirs(tables_dir, exist_ok=True)
    for name in ("transport", "cqlist_recipients"):
        path = os.path.join(tables_dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(parts[name])
        subprocess.run(["postmap", "-c", config_dir, f"hash:{path}"], check=True,
                       capture_output=True)


class PostfixConfig(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cqlist-postfix-config-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        os.chmod(self.dir, 0o755)  # Postfix daemons run as postfix and read the tables

    def test_output_names_the_transport_recipients_and_output_listener(self):
        _, out, _ = run_cqlist("postfix-config", LIST, "--data-dir", self.dir, check_exit=0)
        parts = sections(out)
        self.assertEqual(set(parts), {"main.cf", "master.cf", "transport", "cqlist_recipients",
                                      "commands"})
        self.assertIn("relay_domains = lists.example\n", parts["main.cf"])
        self.assertIn("transport_maps = hash:/etc/postfix/transport\n", parts["main.cf"])
        self.assertIn("recipient_delimiter = +\n", parts["main.cf"])
        self.assertRegex(parts["transport"],
                         r"(?m)^lists\.example\s+cqlist:inet:127\.0\.0\.1:8024$")
        self.assertRegex(parts["transport"], r"(?m)^#ham-request@lists\.example\s+cqlist:inet:")
        self.assertRegex(parts["master.cf"], r"(?m)^cqlist\s+unix\s+-\s+-\s+n\s+-\s+-\s+lmtp$")
        self.assertIn("  -o lmtp_send_xforward_command=yes\n", parts["master.cf"])
        self.assertRegex(parts["master.cf"],
                         r"(?m)^127\.0\.0\.1:10025\s+inet\s+n\s+-\s+n\s+-\s+-\s+smtpd$")
        for option in ("content_filter=", "smtpd_milters=",
                       "receive_override_options=no_unknown_recipient_checks,"
                       "no_header_body_checks,no_milters",
                       "smtpd_authorized_verp_clients=127.0.0.0/8", "mynetworks=127.0.0.0/8"):
            self.assertIn(f"  -o {option}\n", parts["master.cf"])
        for suffix in ("", "-request", "-owner", "-bounces", "-confirm", "-unsubscribe"):
            self.assertRegex(parts["cqlist_recipients"],
                             rf"(?m)^ham{suffix}@lists\.example\s+OK$")
        self.assertEqual(parts["commands"], "postmap /etc/postfix/transport\n"
                                            "postmap /etc/postfix/cqlist_recipients\n"
                                            "postfix check\npostfix reload\n")
        # No policy.listen in cqlist.toml: Postfix is not told to ask a service nobody runs.
        self.assertNotIn("check_policy_service", out)
        self.assertNotIn("smtpd_recipient_restrictions", parts["main.cf"])

    def test_ports_come_from_the_configuration_file_and_options(self):
        config = os.path.join(self.dir, "cqlist.toml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f'data_dir = "{self.dir}"\n[lmtp]\nlisten = "127.0.0.1:2424"\n'
                    "[relay]\nport = 10026\n")
        _, out, _ = run_cqlist("postfix-config", LIST, "--config", config, check_exit=0)
        self.assertIn("cqlist:inet:127.0.0.1:2424", out)
        self.assertRegex(out, r"(?m)^127\.0\.0\.1:10026\s+inet")
        _, out, _ = run_cqlist("postfix-config", LIST, "--config", config, "--lmtp",
                               "[::1]:8025", "--reinject-port", "10099", check_exit=0)
        self.assertIn("cqlist:inet:[::1]:8025", out)
        self.assertRegex(out, r"(?m)^127\.0\.0\.1:10099\s+inet")
        code, _, err = run_cqlist("postfix-config", LIST, "--config", config, "--lmtp", "8025")
        self.assertEqual(code, 64)
        self.assertIn("HOST:PORT", err)

    def test_policy_service_is_asked_after_the_relay_checks_when_configured(self):
        config = os.path.join(self.dir, "cqlist.toml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f'data_dir = "{self.dir}"\n[policy]\nlisten = "0.0.0.0:10041"\n')
        _, out, _ = run_cqlist("postfix-config", LIST, "--config", config, check_exit=0)
        settings = main_cf_settings(sections(out)["main.cf"], "/tables")
        restrictions = [r.strip() for r in settings["smtpd_recipient_restrictions"].split(",")]
        # Mail from our own networks and relay control come first; cqlist listening on every
        # address is asked on loopback.
        self.assertEqual(restrictions, ["permit_mynetworks", "reject_unauth_destination",
                                        "check_policy_service inet:127.0.0.1:10041"])
        self.assertEqual(settings["smtpd_policy_service_default_action"], "DUNNO")
        config_dir, _ = self.postfix_check(out)
        self.assertIn("smtpd_recipient_restrictions = permit_mynetworks, "
                      "reject_unauth_destination, check_policy_service inet:127.0.0.1:10041\n",
                      self.postconf(config_dir, "-n"))
        with open(config, "w", encoding="utf-8") as f:
            f.write(f'data_dir = "{self.dir}"\n[policy]\nlisten = "127.0.0.1:0"\n')
        code, _, err = run_cqlist("postfix-config", LIST, "--config", config)
        self.assertEqual(code, 64)
        self.assertIn("policy.listen", err)
        # A typo is an error, not a silently missing policy service.
        for text, complaint in (('[policy]\nlisten = "10031"\n', "policy.listen"),
                                ("[policy]\nport = 10031\n", "unknown setting 'policy.port'")):
            with open(config, "w", encoding="utf-8") as f:
                f.write(f'data_dir = "{self.dir}"\n{text}')
            code, _, err = run_cqlist("postfix-config", LIST, "--config", config)
            self.assertEqual(code, 78, err)  # EX_CONFIG
            self.assertIn(complaint, err)

    def postfix_check(self, output, shared_domain=False):
        """Builds a Postfix configuration directory from the output and returns it after
        `postconf -n` and `postfix check` accepted it without a warning. With
        shared_domain, the list domain is one of Postfix's local domains."""
        parts = sections(output)
        config_dir = os.path.join(self.dir, "etc")
        tables_dir = os.path.join(self.dir, "tables")
        queue_dir = os.path.join(self.dir, "queue")
        data_dir = os.path.join(self.dir, "data")
        for directory in (config_dir, queue_dir, data_dir):
            os.makedirs(directory, exist_ok=True)
        shutil.chown(data_dir, "postfix", "postfix")
        base = {"compatibility_level": "3.6", "queue_directory": queue_dir,
                "data_directory": data_dir, "maillog_file": os.path.join(self.dir, "maillog"),
                "maillog_file_prefixes": self.dir, "inet_interfaces": "127.0.0.1",
                "inet_protocols": "ipv4",
                "mydestination": "lists.example" if shared_domain else "",
                "alias_maps": "", "alias_database": ""}
        base.update(main_cf_settings(parts["main.cf"], tables_dir))
        with open(os.path.join(config_dir, "main.cf"), "w", encoding="utf-8") as f:
            f.write("".join(f"{name} = {value}\n" for name, value in base.items()))
        with open("/etc/postfix/master.cf", encoding="utf-8") as f:
            master = f.read()
        with open(os.path.join(config_dir, "master.cf"), "w", encoding="utf-8") as f:
            f.write(master + "\n" + parts["master.cf"])
        write_tables(parts, tables_dir, config_dir)

        proc = subprocess.run(["postconf", "-c", config_dir, "-n"], capture_output=True,
                              text=True, check=True)
        self.assertEqual(proc.stderr, "")
        # `postfix check` writes its findings only to a terminal: give it one.
        proc = subprocess.run(["script", "-qec", f"postfix -c {config_dir} check", "/dev/null"],
                              capture_output=True, text=True)
        self.assertEqual((proc.returncode, proc.stdout.strip()), (0, ""))
        return config_dir, proc

    def postconf(self, config_dir, *args):
        return subprocess.run(["postconf", "-c", config_dir, *args], capture_output=True,
                              text=True, check=True).stdout

    def test_postfix_accepts_the_output(self):
        _, out, _ = run_cqlist("postfix-config", LIST, "--data-dir", self.dir, check_exit=0)
        config_dir, _ = self.postfix_check(out)
        settings = self.postconf(config_dir, "-n")
        self.assertIn("relay_domains = lists.example\n", settings)
        self.assertIn("recipient_delimiter = +\n", settings)
        services = self.postconf(config_dir, "-P")
        self.assertIn("cqlist/unix/lmtp_send_xforward_command = yes\n", services)
        self.assertIn("127.0.0.1:10025/inet/content_filter =\n", services)
        self.assertIn("127.0.0.1:10025/inet/smtpd_authorized_verp_clients = 127.0.0.0/8\n",
                      services)
        lookup = subprocess.run(["postmap", "-c", config_dir, "-q", "lists.example",
                                 f"hash:{self.dir}/tables/transport"], capture_output=True,
                                text=True)
        self.assertEqual(lookup.stdout, "cqlist:inet:127.0.0.1:8024\n")

    def test_postfix_accepts_the_shared_domain_output(self):
        _, out, _ = run_cqlist("postfix-config", LIST, "--shared-domain", "--data-dir", self.dir,
                               check_exit=0)
        parts = sections(out)
        self.assertNotIn("relay_domains", parts["main.cf"].replace("relay_domains,", ""))
        self.assertIn("local_recipient_maps = proxy:unix:passwd.byname $alias_maps "
                      "hash:/etc/postfix/cqlist_recipients\n", parts["main.cf"])
        self.assertRegex(parts["transport"],
                         r"(?m)^ham-bounces@lists\.example\s+cqlist:inet:127\.0\.0\.1:8024$")
        self.assertNotRegex(parts["transport"], r"(?m)^lists\.example")
        config_dir, _ = self.postfix_check(out, shared_domain=True)
        lookup = subprocess.run(["postmap", "-c", config_dir, "-q", "ham-owner@lists.example",
                                 f"hash:{self.dir}/tables/transport"], capture_output=True,
                                text=True)
        self.assertEqual(lookup.stdout, "cqlist:inet:127.0.0.1:8024\n")

    def start_postfix(self, shared_domain):
        """A private Postfix with exactly the printed lines, and the LMTP catcher standing
        in for cqlist: (postfix, lmtp catcher, reinject port)."""
        lmtp = LmtpCatcher(os.path.join(self.dir, "lmtp")).start()
        self.addCleanup(lmtp.stop)
        reinject_port = free_tcp_port()
        _, out, _ = run_cqlist("postfix-config", LIST, "--lmtp", f"127.0.0.1:{lmtp.port}",
                               "--reinject-port", str(reinject_port), "--data-dir", self.dir,
                               *(["--shared-domain"] if shared_domain else []), check_exit=0)
        parts = sections(out)
        tables_dir = os.path.join(self.dir, "tables")
        settings = main_cf_settings(parts["main.cf"], tables_dir)
        # The private instance turns XFORWARD and XVERP on everywhere; here only the
        # printed master.cf entries may do it.
        settings.update({"lmtp_send_xforward_command": "no", "smtpd_authorized_verp_clients": ""})
        if shared_domain:
            settings["mydestination"] = "lists.example"
        postfix = PrivatePostfix(os.path.join(self.dir, "postfix"), main_cf=settings,
                                 services=[parts["master.cf"]], reinject=False)
        postfix.write_config()
        write_tables(parts, tables_dir, postfix.config_dir)
        self.addCleanup(postfix.stop)
        postfix.start()
        return postfix, lmtp, reinject_port

    def post_through(self, postfix, lmtp):
        """A post from a poster's server (XCLIENT) to the list, a bounce address and an
        address that does not exist: the first two reach LMTP with XFORWARD, the third is
        refused during the SMTP session."""
        bounce_address = "ham-bounces+a1.tok+m=members.test@lists.example"
        with smtplib.SMTP("127.0.0.1", postfix.smtpd_port, timeout=30) as client:
            client.ehlo("client.poster.test")
            self.assertFalse(client.has_extn("xverp"))
            code, _ = client.docmd("XCLIENT", "ADDR=192.0.2.10 NAME=mx.poster.test "
                                              "HELO=mx.poster.test")
            self.assertEqual(code, 220)
            client.ehlo("mx.poster.test")
            client.mail("alice@poster.test")
            self.assertEqual(client.rcpt(LIST)[0], 250)
            code, text = client.rcpt("no-such-list@lists.example")
            self.assertEqual(code, 550, text)
            self.assertEqual(client.rcpt(bounce_address)[0], 250)
            code, _ = client.data(b"From: alice@poster.test\r\nTo: ham@lists.example\r\n"
                                  b"Subject: via Postfix\r\nMessage-ID: <p.1@poster.test>\r\n"
                                  b"\r\nhello\r\n")
            self.assertEqual(code, 250)
        record, = lmtp.wait_for_records(1)
        self.assertEqual(sorted(record["rcpt_tos"]), [bounce_address, LIST])
        self.assertEqual(record["xforward"].get("ADDR"), "192.0.2.10", record)
        self.assertEqual(record["xforward"].get("HELO"), "mx.poster.test", record)
        postfix.wait_until_queue_empty()

    def test_a_running_postfix_routes_list_mail_as_configured(self):
        """List mail reaches the LMTP address with XFORWARD, other addresses at the domain
        are refused in the SMTP session, and the output listener takes XVERP from loopback
        only."""
        postfix, lmtp, reinject_port = self.start_postfix(shared_domain=False)
        self.post_through(postfix, lmtp)
        with smtplib.SMTP("127.0.0.1", reinject_port, timeout=30) as client:
            client.ehlo("cqlist.lists.example")
            self.assertTrue(client.has_extn("xverp"), client.esmtp_features)
            self.assertFalse(client.has_extn("starttls"))
            code, text = client.mail("ham-bounces+a1.tok@lists.example", ["XVERP=+="])
            self.assertEqual(code, 250, text)
            self.assertEqual(client.rcpt("member@members.test")[0], 250)
            client.rset()
            # Only cqlist's host may relay through it.
            code, _ = client.docmd("XCLIENT", "ADDR=198.51.100.7")
            self.assertEqual(code, 220)
            client.ehlo("stranger.example")
            client.mail("someone@stranger.example")
            code, text = client.rcpt("member@members.test")
            self.assertEqual(code, 554, text)

    def test_a_running_postfix_routes_only_the_list_addresses_of_a_shared_domain(self):
        postfix, lmtp, _ = self.start_postfix(shared_domain=True)
        self.post_through(postfix, lmtp)


if __name__ == "__main__":
    main()

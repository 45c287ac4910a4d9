"""`cqlist doctor`: the founding story's three stages against a real unbound on loopback.

The list domain cq-test.example sends from 192.0.2.25 and 2001:db8::25 (Postfix
inet_protocols = all, read with `postconf -c` from a scratch main.cf). The IPv4 address has a
forward-confirmed PTR, the IPv6 address none.

1. `v=spf1 include:cq-test.example ~all`: a loop and a permerror that authorizes nothing.
2. `v=spf1 ip4:192.0.2.25 include:... ~all`: passes for IPv4, fails for the IPv6 egress.
3. The records the doctor printed in stage 1 are loaded into the zone (the PTR too, as the
   VPS provider would set it): every SPF, PTR, DKIM and DMARC check passes and it exits 0.

`cqlist explain` reads the rejection texts of the story (Gmail's 5.7.26 and IPv6 5.7.1),
Outlook.com's 5.7.515, Yahoo's TSS04 and a plain 5.1.1, classifies each with the bounce
processor's table and, for the list's own problems, runs the doctor checks they point to.
"""
import json
import os
import tempfile

from dkim_keys import cqlist_key
from harness import ScratchDirTest, main, run_cqlist
from loopback_dns import LoopbackDns, free_port, txt

DOMAIN = "cq-test.example"
IPV4 = "192.0.2.25"
IPV6 = "2001:db8::25"
HOST = "mail.cq-test.example"
ZONES = ["example", "2.0.192.in-addr.arpa", "8.b.d.0.1.0.0.2.ip6.arpa"]

BASE = {
    DOMAIN: [("MX", f"10 {HOST}.")],
    HOST: [("A", IPV4)],
    "25.2.0.192.in-addr.arpa": [("PTR", f"{HOST}.")],
    "_spf.activegate.example": [txt("v=spf1 ip4:198.51.100.0/24 -all")],
}


def with_spf(record):
    zone = {name: list(entries) for name, entries in BASE.items()}
    zone[DOMAIN] = zone[DOMAIN] + [txt(record)]
    return zone


def by_id(doc, finding_id, subject=None):
    return [f for f in doc["findings"]
            if f["id"] == finding_id and (subject is None or f["subject"] == subject)]


class DoctorFoundingStory(ScratchDirTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-doctor-")
        cls.dns = None
        try:
            cls.key, cls.key_name, cls.key_strings = cqlist_key(cls.dir, "cq2026", DOMAIN)
            cls.postfix_dir = os.path.join(cls.dir, "postfix")
            os.mkdir(cls.postfix_dir)
            with open(os.path.join(cls.postfix_dir, "main.cf"), "w", encoding="ascii") as f:
                f.write(f"inet_protocols = all\nmyhostname = {HOST}\n"
                        "smtp_tls_security_level = may\ncompatibility_level = 3.6\n")
        except BaseException:
            cls.tearDownClass()
            raise

    def serve(self, records):
        if self.dns is not None:
            self.dns.stop()
        type(self).dns = LoopbackDns(records, zones=ZONES, probe_name="_spf.activegate.example").start()

    def doctor(self, *extra):
        return run_cqlist("doctor", "--domain", DOMAIN, "--ip", IPV4, "--ip", IPV6,
                          "--dkim-key", f"cq2026:{self.key}", "--postconf-dir", self.postfix_dir,
                          "--resolver", self.dns.address, *extra)

    def test_stage1_self_include_is_a_loop_that_authorizes_nothing(self):
        self.serve(with_spf(f"v=spf1 include:{DOMAIN} ~all"))
        code, out, err = self.doctor("--json")
        self.assertEqual(code, 2, err)
        doc = json.loads(out)
        loop = by_id(doc, "SPF-05")
        self.assertEqual(len(loop), 1, out)
        self.assertEqual(loop[0]["severity"], "FAIL")
        self.assertIn(f"loop: {DOMAIN} -> {DOMAIN}", loop[0]["problem"])
        self.assertIn("authorizes no address", loop[0]["problem"])
        self.assertEqual(loop[0]["fix"]["records_add"][0]["value"],
                         f"v=spf1 ip4:{IPV4} ip6:{IPV6} ~all")
        for finding_id, address in (("SPF-07", IPV4), ("SPF-08", IPV6)):
            verdict = by_id(doc, finding_id, address)[0]
            self.assertEqual(verdict["severity"], "FAIL")
            self.assertIn("spf=permerror", verdict["found"][-1])
            self.assertIn("includes itself", verdict["trace"])
        self.assertEqual(by_id(doc, "PTR-01", IPV6)[0]["severity"], "FAIL")
        self.assertEqual(by_id(doc, "PTR-02", IPV4)[0]["severity"], "PASS")
        self.assertEqual(by_id(doc, "OUT-02", IPV6)[0]["severity"], "FAIL")
        self.assertEqual(by_id(doc, "DKIM-02")[0]["severity"], "FAIL")
        self.assertEqual(by_id(doc, "DMARC-01")[0]["severity"], "WARN")
        # Postfix's settings came from the scratch main.cf.
        self.assertEqual(doc["helo"], HOST)
        self.assertEqual(by_id(doc, "TLS-01")[0]["severity"], "PASS")

        # The same run as text, in English and in Japanese.
        code, out, _ = self.doctor()
        self.assertEqual(code, 2)
        self.assertIn(f"[FAIL] SPF-05   include loop  ({DOMAIN})", out)
        self.assertIn("== Records to publish ==", out)
        self.assertIn(f'  {DOMAIN}. 300 IN TXT "v=spf1 ip4:{IPV4} ip6:{IPV6} ~all"', out)
        code, out, _ = self.doctor("--lang", "ja")
        self.assertEqual(code, 2)
        self.assertIn(f"[FAIL] SPF-05   include がループしています  ({DOMAIN})", out)
        self.assertIn("== 公開するレコード ==", out)
        self.assertIn("逆引き（PTR）は、IP アドレスの管理者", out)

    def test_stage2_ip4_only_record_fails_for_the_ipv6_egress(self):
        self.serve(with_spf(f"v=spf1 ip4:{IPV4} include:_spf.activegate.example ~all"))
        code, out, err = self.doctor("--json", "--only", "SPF")
        self.assertEqual(code, 2, err)
        doc = json.loads(out)
        self.assertEqual(by_id(doc, "SPF-07", IPV4)[0]["severity"], "PASS")
        v6 = by_id(doc, "SPF-08", IPV6)[0]
        self.assertEqual(v6["severity"], "FAIL")
        self.assertIn("spf=softfail", v6["found"][-1])
        self.assertIn("decided by '~all'", v6["trace"])
        self.assertEqual(v6["fix"]["records_add"][0]["value"],
                         f"v=spf1 ip4:{IPV4} ip6:{IPV6} include:_spf.activegate.example ~all")
        self.assertEqual(by_id(doc, "SPF-13")[0]["severity"], "INFO")
        self.assertTrue(all(f["id"].startswith("SPF-") for f in doc["findings"]))

    def test_stage3_the_proposed_records_make_every_check_pass(self):
        stage1 = with_spf(f"v=spf1 include:{DOMAIN} ~all")
        self.serve(stage1)
        _, out, _ = self.doctor("--json")
        doc = json.loads(out)
        removed = set()
        for finding in doc["findings"]:
            for record in finding["fix"]["records_remove"]:
                removed.add((record["name"], record["type"], record["value"]))
        zone = {}
        for name, entries in stage1.items():
            for rtype, data in entries:
                value = "".join(data.split('"')[1::2]) if rtype == "TXT" else data
                if (name, rtype, value) not in removed:
                    zone.setdefault(name, []).append((rtype, data))
        for record in doc["records_to_publish"]:
            data = (" ".join(f'"{s}"' for s in record["strings"]) if record["type"] == "TXT"
                    else record["value"])
            zone.setdefault(record["name"], []).append((record["type"], data))
        types = {(r["type"], r["at_provider"]) for r in doc["records_to_publish"]}
        self.assertIn(("PTR", True), types)
        self.assertIn(("AAAA", False), types)
        self.serve(zone)
        code, out, err = self.doctor("--json")
        doc = json.loads(out)
        problems = [f"{f['id']} {f['subject']} {f['severity']}" for f in doc["findings"]
                    if f["severity"] in ("FAIL", "WARN")]
        self.assertEqual(problems, [], out)
        self.assertEqual(code, 0, err)
        self.assertEqual(doc["records_to_publish"], [])
        passed = {f["id"] for f in doc["findings"] if f["severity"] == "PASS"}
        for expected in ("SPF-01", "SPF-07", "SPF-08", "PTR-02", "DKIM-03", "DMARC-01"):
            self.assertIn(expected, passed)

    def test_bad_arguments_are_usage_errors(self):
        code, _, err = run_cqlist("doctor", "--ip", IPV4)
        self.assertEqual(code, 64)
        self.assertIn("--domain", err)
        code, _, err = run_cqlist("doctor", "--domain", DOMAIN, "--ip", "192.0.2.300",
                                  "--no-postfix")
        self.assertEqual(code, 64)
        self.assertIn("192.0.2.300", err)


class DoctorForAList(ScratchDirTest):
    """--list reads the domain, the key and the From handling from the list's settings."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-doctor-list-")
        cls.dns = None
        try:
            cls.key, name, strings = cqlist_key(cls.dir, "cq2026", DOMAIN)
            zone = with_spf(f"v=spf1 ip4:{IPV4} ~all")
            zone[name] = [txt(*strings)]
            zone["_dmarc.gmail.com"] = [txt("v=DMARC1; p=none; sp=quarantine")]
            cls.dns = LoopbackDns(zone, zones=ZONES + ["com"],
                                  probe_name="_spf.activegate.example").start()
            data = os.path.join(cls.dir, "data")
            settings = ["from_rewrite=never", "footer=73 de JA1CQ", "dkim_selector_rsa=cq2026",
                        f"dkim_key_rsa={cls.key}"]
            run_cqlist("list", "create", f"ham@{DOMAIN}",
                       *[arg for setting in settings for arg in ("--set", setting)],
                       "--data-dir", data, check_exit=0)
            run_cqlist("members", "add", f"ham@{DOMAIN}", "a@gmail.com", "b@gmail.com",
                       "c@example.org", "--data-dir", data, check_exit=0)
            # A list whose key was rotated without publishing the new one: DNS still has the
            # cq2026 record of the ham list's key.
            rotated_dir = os.path.join(cls.dir, "rotated")
            os.mkdir(rotated_dir)
            rotated, _, _ = cqlist_key(rotated_dir, "cq2026", DOMAIN)
            run_cqlist("list", "create", f"rotated@{DOMAIN}", "--set", "dkim_selector_rsa=cq2026",
                       "--set", f"dkim_key_rsa={rotated}", "--data-dir", data, check_exit=0)
            cls.data = data
        except BaseException:
            cls.tearDownClass()
            raise

    def test_list_settings_are_checked(self):
        code, out, err = run_cqlist("doctor", "--list", f"ham@{DOMAIN}", "--data-dir", self.data,
                                    "--ip", IPV4, "--helo", HOST, "--no-postfix", "--resolver",
                                    self.dns.address, "--json")
        doc = json.loads(out)
        self.assertEqual(doc["domain"], DOMAIN, err)
        self.assertEqual(by_id(doc, "DKIM-03")[0]["severity"], "PASS")
        from_handling = by_id(doc, "LIST-01")[0]
        self.assertEqual(from_handling["severity"], "FAIL")
        self.assertIn("gmail.com", from_handling["problem"])
        self.assertEqual(from_handling["fix"]["commands"],
                         [f"cqlist list set ham@{DOMAIN} from_rewrite=when_needed"])
        self.assertEqual(by_id(doc, "VOL-01")[0]["severity"], "INFO")
        self.assertEqual(code, 2)

    def dkim_only(self, address):
        code, out, err = run_cqlist("doctor", "--list", address, "--data-dir", self.data,
                                    "--ip", IPV4, "--helo", HOST, "--no-postfix", "--resolver",
                                    self.dns.address, "--json", "--only", "DKIM")
        return code, json.loads(out), err

    def test_dkim_self_test_verifies_the_signed_sample_against_live_dns(self):
        code, doc, err = self.dkim_only(f"ham@{DOMAIN}")
        self_test = by_id(doc, "DKIM-12", f"cq2026._domainkey.{DOMAIN}")
        self.assertEqual(len(self_test), 1, err)
        self.assertEqual(self_test[0]["severity"], "PASS")
        self.assertIn("dkim=pass", self_test[0]["found"][0])
        self.assertEqual(by_id(doc, "DKIM-09")[0]["severity"], "PASS")
        self.assertEqual(code, 0)

        code, doc, err = self.dkim_only(f"rotated@{DOMAIN}")
        self_test = by_id(doc, "DKIM-12", f"cq2026._domainkey.{DOMAIN}")
        self.assertEqual(len(self_test), 1, err)
        self.assertEqual(self_test[0]["severity"], "FAIL")
        self.assertIn("dkim=fail (signature mismatch)", self_test[0]["found"][0])
        self.assertIn("signature mismatch", self_test[0]["problem"])
        self.assertEqual(len(self_test[0]["fix"]["records_add"]), 1)
        self.assertEqual(code, 2)


class DoctorRecordChecks(ScratchDirTest):
    """Record-level items over real unbound answers: an obsolete type-99 SPF record (SPF-14)
    and a DMARC record with pct= (DMARC-04) are INFO, so they leave the exit status at 0."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-doctor-records-")
        cls.dns = None
        try:
            cls.key, name, strings = cqlist_key(cls.dir, "cq2026", DOMAIN)
            spf = f"v=spf1 ip4:{IPV4} ip6:{IPV6} ~all"
            zone = with_spf(spf)
            zone[DOMAIN] = zone[DOMAIN] + [("SPF", f'"{spf}"')]
            zone[name] = [txt(*strings)]
            zone[f"_dmarc.{DOMAIN}"] = [
                txt(f"v=DMARC1; p=none; pct=50; rua=mailto:dmarc-reports@{DOMAIN}")]
            cls.dns = LoopbackDns(zone, zones=ZONES, probe_name="_spf.activegate.example").start()
        except BaseException:
            cls.tearDownClass()
            raise

    def doctor(self, *extra):
        return run_cqlist("doctor", "--domain", DOMAIN, "--ip", IPV4, "--ip", IPV6, "--helo",
                          HOST, "--dkim-key", f"cq2026:{self.key}", "--no-postfix",
                          "--resolver", self.dns.address, "--only", "SPF", "--only", "DMARC",
                          *extra)

    def test_type99_spf_and_pct_are_info_and_keep_exit_status_zero(self):
        code, out, err = self.doctor("--json")
        doc = json.loads(out)
        spf99 = by_id(doc, "SPF-14")
        self.assertEqual([f["severity"] for f in spf99], ["INFO"], out)
        self.assertEqual(spf99[0]["fix"]["records_remove"][0]["zone_line"],
                         f'{DOMAIN}. 300 IN SPF "v=spf1 ip4:{IPV4} ip6:{IPV6} ~all"')
        pct = by_id(doc, "DMARC-04")
        self.assertEqual([f["severity"] for f in pct], ["INFO"], out)
        self.assertEqual(pct[0]["fix"]["records_add"][0]["value"],
                         f"v=DMARC1; p=none; rua=mailto:dmarc-reports@{DOMAIN}; t=y")
        self.assertEqual(by_id(doc, "DMARC-03"), [])
        self.assertEqual([f["id"] for f in doc["findings"] if f["severity"] in ("FAIL", "WARN")],
                         [], out)
        self.assertEqual(code, 0, err)
        self.assertEqual(doc["exit_status"], 0)

        code, out, _ = self.doctor("--lang", "ja")
        self.assertEqual(code, 0)
        self.assertIn(f"[INFO] DMARC-04 DMARC レコードに RFC 9989 で廃止されたタグがあります"
                      f"（pct=50）  ({DOMAIN})", out)
        self.assertIn("[INFO] SPF-14   廃止された SPF 型（タイプ 99）のレコードが公開されています",
                      out)


class DoctorNameServers(ScratchDirTest):
    """DNS-04 against real servers: the resolver delegates cq-test.example to
    ns1.cq-test.example (127.0.0.2) and ns2.cq-test.example (127.0.0.3), two more unbound
    instances on one port (--ns-port), which the doctor asks directly."""

    CURRENT = f"v=spf1 ip4:{IPV4} ip6:{IPV6} ~all"
    OLD = f"v=spf1 ip4:{IPV4} ~all"

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-doctor-ns-")
        cls.dns = None
        cls.servers = []
        try:
            zone = with_spf(cls.CURRENT)
            zone[DOMAIN] = zone[DOMAIN] + [("NS", f"ns1.{DOMAIN}."), ("NS", f"ns2.{DOMAIN}.")]
            zone[f"ns1.{DOMAIN}"] = [("A", "127.0.0.2")]
            zone[f"ns2.{DOMAIN}"] = [("A", "127.0.0.3")]
            cls.dns = LoopbackDns(zone, zones=ZONES, probe_name="_spf.activegate.example").start()
            cls.port = free_port("127.0.0.2")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stop_servers()
        super().tearDownClass()

    @classmethod
    def stop_servers(cls):
        for server in getattr(cls, "servers", []):
            server.stop()
        cls.servers = []

    def serve(self, host, spf, serial):
        records = {DOMAIN: [txt(spf), ("SOA", f"ns1.{DOMAIN}. hostmaster.{DOMAIN}. {serial} "
                                              "3600 600 86400 300")],
                   f"_dmarc.{DOMAIN}": [txt("v=DMARC1; p=none")]}
        server = LoopbackDns(records, zones=["example"], probe_name=DOMAIN, port=self.port,
                             host=host)
        self.servers.append(server.start())

    def doctor(self, *extra):
        code, out, err = run_cqlist("doctor", "--domain", DOMAIN, "--ip", IPV4, "--helo", HOST,
                                    "--no-postfix", "--resolver", self.dns.address, "--ns-port",
                                    str(self.port), "--only", "DNS", "--json", *extra)
        return code, json.loads(out), err

    def test_a_secondary_serving_the_old_spf_record_warns(self):
        self.addCleanup(self.stop_servers)
        self.serve("127.0.0.2", self.CURRENT, 2026112901)
        self.serve("127.0.0.3", self.OLD, 2026010101)
        code, doc, err = self.doctor()
        found = by_id(doc, "DNS-04")
        self.assertEqual([(f["severity"], f["subject"]) for f in found], [("WARN", DOMAIN)], err)
        self.assertEqual(found[0]["title"], f"ns2.{DOMAIN} (127.0.0.3) serves a different SPF "
                                            "record from the other name servers")
        self.assertEqual(found[0]["found"], [
            f'ns2.{DOMAIN} (127.0.0.3, SOA serial 2026010101): "{self.OLD}"',
            f'ns1.{DOMAIN} (127.0.0.2, SOA serial 2026112901): "{self.CURRENT}"'])
        self.assertIn(f"dig +norecurse @127.0.0.3 {DOMAIN} TXT", found[0]["verify"])
        self.assertEqual(code, 1, err)

    def test_a_server_that_does_not_answer_warns(self):
        self.addCleanup(self.stop_servers)
        self.serve("127.0.0.2", self.CURRENT, 2026112901)  # nothing listens on 127.0.0.3
        code, doc, err = self.doctor("--dns-timeout", "1000")
        found = by_id(doc, "DNS-04")
        self.assertEqual([(f["severity"], f["title"]) for f in found],
                         [("WARN", f"name server ns2.{DOMAIN} did not answer")], err)
        self.assertEqual(found[0]["found"][0], f"ns2.{DOMAIN} (127.0.0.3): did not answer "
                                               "(timeout)")
        self.assertEqual(code, 1, err)

    def test_servers_that_agree_pass(self):
        self.addCleanup(self.stop_servers)
        self.serve("127.0.0.2", self.CURRENT, 2026112901)
        self.serve("127.0.0.3", self.CURRENT, 2026112901)
        code, doc, err = self.doctor()
        found = by_id(doc, "DNS-04")
        self.assertEqual([f["severity"] for f in found], ["PASS"], err)
        self.assertEqual(found[0]["title"], "all 2 name servers serve the same SPF and DMARC "
                                            "records")
        self.assertEqual([f["id"] for f in doc["findings"] if f["severity"] in ("FAIL", "WARN")],
                         [])
        self.assertEqual(code, 0, err)


GMAIL_AUTH = """550-5.7.26 This message does not have authentication information or fails to
550-5.7.26 pass authentication checks (SPF or DKIM). To best protect our users
550-5.7.26 from spam, the message has been blocked. For more information, go to
550 5.7.26  https://support.google.com/mail/answer/81126#authentication a1b2c3 - gsmtp
"""
GMAIL_IPV6 = """550-5.7.1 [2001:db8::25] This message does not meet IPv6 sending guidelines
550-5.7.1 regarding PTR records and authentication. For more information, go to
550 5.7.1  https://support.google.com/mail/?p=IPv6AuthError a1b2c3 - gsmtp
"""
OUTLOOK_515 = ("550 5.7.515 Access denied, sending domain cq-test.example does not meet the "
               "required authentication level. [BN1NAM02FT012.eop-nam02.prod.protection."
               "outlook.com]\n")
YAHOO_TSS04 = ("421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to "
               "unexpected volume or user complaints - 4.16.55.1; see "
               "https://postmaster.yahooinc.com/error-codes\n")
USER_UNKNOWN = ("550 5.1.1 The email account that you tried to reach does not exist. Please "
                "try double-checking the recipient's email address. - gsmtp\n")


class ExplainCommand(ScratchDirTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cqlist-explain-")
        cls.dns = None
        try:
            cls.dns = LoopbackDns(with_spf(f"v=spf1 include:{DOMAIN} ~all"), zones=ZONES,
                                  probe_name="_spf.activegate.example").start()
        except BaseException:
            cls.tearDownClass()
            raise

    def explain(self, text, *extra, domain=True):
        path = self.write("reply.txt", text.encode())
        args = ["--domain", DOMAIN, "--ip", IPV4, "--ip", IPV6, "--helo", HOST, "--no-postfix",
                "--resolver", self.dns.address] if domain else ["--no-postfix"]
        return run_cqlist("explain", path, *args, *extra)

    def explained(self, text, **kwargs):
        code, out, err = self.explain(text, "--json", **kwargs)
        doc = json.loads(out)
        self.assertEqual(len(doc["explained"]), 1, out)
        return code, doc

    def test_gmail_5_7_26_is_the_lists_authentication_and_prints_the_spf_fix(self):
        code, doc = self.explained(GMAIL_AUTH)
        item = doc["explained"][0]
        self.assertEqual((item["provider"], item["side"], item["advice"]),
                         ("gmail", "sender", "authentication"))
        self.assertEqual(code, 2)
        failed = {(f["id"], f["subject"]) for f in doc["findings"] if f["severity"] == "FAIL"}
        self.assertIn(("SPF-05", DOMAIN), failed)
        self.assertIn(("SPF-08", IPV6), failed)
        code, out, _ = self.explain(GMAIL_AUTH)
        self.assertIn("Whose:     the list's own sending setup", out)
        self.assertIn(f'{DOMAIN}. 300 IN TXT "v=spf1 ip4:{IPV4} ip6:{IPV6} ~all"', out)
        _, out, _ = self.explain(GMAIL_AUTH, "--lang", "ja")
        self.assertIn("誰の問題か: リスト自身の送信設定", out)

    def test_gmail_ipv6_text_runs_the_ipv6_checks(self):
        code, doc = self.explained(GMAIL_IPV6)
        self.assertEqual(doc["explained"][0]["provider"], "gmail")
        self.assertEqual(doc["explained"][0]["side"], "sender")
        for group in ("OUT", "PTR", "SPF", "DKIM"):
            self.assertIn(group, doc["checks"])
        failed = {(f["id"], f["subject"]) for f in doc["findings"] if f["severity"] == "FAIL"}
        self.assertIn(("PTR-01", IPV6), failed)
        self.assertIn(("OUT-02", IPV6), failed)
        self.assertEqual(code, 2)

    def test_outlook_and_yahoo_are_the_lists_problem(self):
        _, doc = self.explained(OUTLOOK_515, domain=False)
        self.assertEqual((doc["explained"][0]["provider"], doc["explained"][0]["advice"]),
                         ("outlook", "authentication"))
        self.assertIn("DKIM", doc["checks"])
        _, doc = self.explained(YAHOO_TSS04, domain=False)
        self.assertEqual((doc["explained"][0]["provider"], doc["explained"][0]["side"]),
                         ("yahoo", "sender"))
        self.assertIn("VOL", doc["checks"])
        code, out, _ = self.explain(YAHOO_TSS04, domain=False)
        self.assertEqual(code, 0)
        self.assertIn("Run again with --domain DOMAIN", out)

    def test_user_unknown_is_the_members_mailbox_and_runs_no_check(self):
        code, doc = self.explained(USER_UNKNOWN)
        self.assertEqual(doc["explained"][0]["side"], "recipient")
        self.assertEqual(doc["checks"], [])
        self.assertEqual(doc["findings"], [])
        self.assertEqual(code, 0)
        _, out, _ = self.explain(USER_UNKNOWN)
        self.assertIn("Nothing to fix on the list's side", out)


if __name__ == "__main__":
    main()

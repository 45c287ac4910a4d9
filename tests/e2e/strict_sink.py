"""Receiving SMTP/LMTP sinks for end-to-end tests, one of them a strict mailbox provider.

    sink = StrictSink(directory, dns_port=dns.port, assume_client_ip="192.0.2.25").start()
    ... Postfix relays to 127.0.0.1:sink.port ...
    record = sink.wait_for_records(1)[0]      # envelope, decision, SPF/DKIM/DMARC/ARC results
    sink.messages_for("member@example.org")  # accepted copies, Authentication-Results first
    sink.stop()

StrictSink plays Gmail at the end of DATA: it checks SPF (pyspf) for the envelope sender,
every DKIM signature and the ARC chain (dkimpy) and DMARC alignment (its own, over the
public suffix list), all against the loopback DNS server, then answers a multi-line
`550-5.7.26` when nothing aligned with the From domain passed (require_alignment=True,
Gmail's rule for bulk senders such as lists). With require_alignment=False it behaves like
Gmail for ordinary senders: it rejects when the From domain's DMARC policy is quarantine or
reject and DMARC fails, or when neither SPF nor DKIM passes for any domain. Every test MTA
connects from 127.0.0.1, so the SPF client address is `assume_client_ip`, the address the
sending server would have on the Internet.

CatchAllSink accepts everything without checks (a bounce catcher); LmtpCatcher speaks LMTP
(per-recipient replies) and advertises XFORWARD, recording the attributes Postfix sends.

Each sink is a child process running /usr/bin/python3 (aiosmtpd, pyspf, dkimpy and
dnspython are Debian packages; the interpreter running a test may be another one). It
writes into its directory:
  log.jsonl                     one JSON object per DATA: seq, protocol, helo, peer,
                                mail_from, mail_options, rcpt_tos, xforward, from, subject,
                                decision (accepted|rejected), reply, auth, files
  mailboxes/RCPT/SEQ.eml        each accepted copy, Return-Path and Authentication-Results
                                prepended
  rejected/SEQ.eml              what was refused
make_dkim_key() and dkim_sign() play a sending domain with dkimpy.
"""
import base64
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

SYSTEM_PYTHON = "/usr/bin/python3"
PUBLIC_SUFFIX_LIST = "/usr/share/publicsuffix/public_suffix_list.dat"


# --- the test's side: starting sinks and reading what they kept ------------------------


class Sink:
    def __init__(self, directory, *, protocol="smtp", checks=False, dns_port=None,
                 assume_client_ip=None, require_alignment=True, hostname="mx.sink.example",
                 reject_rcpts=None):
        if checks and (dns_port is None or assume_client_ip is None):
            raise ValueError("a checking sink needs dns_port and assume_client_ip")
        self.dir = os.path.abspath(directory)
        self.config = {"directory": self.dir, "protocol": protocol, "checks": checks,
                       "dns_port": dns_port, "client_ip": assume_client_ip,
                       "require_alignment": require_alignment, "hostname": hostname,
                       "reject_rcpts": {k.lower(): v for k, v in (reject_rcpts or {}).items()}}
        self.port = None
        self.process = None

    def start(self, timeout=20):
        os.makedirs(self.dir, exist_ok=True)
        config_path = os.path.join(self.dir, "sink.json")
        ready_path = os.path.join(self.dir, "ready")
        if os.path.exists(ready_path):
            os.unlink(ready_path)
        with open(config_path, "w", encoding="utf-8") as f:
            json.dump(self.config, f)
        with open(os.path.join(self.dir, "sink.out"), "ab") as out:
            self.process = subprocess.Popen(
                [SYSTEM_PYTHON, os.path.abspath(__file__), "serve", config_path],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not os.path.exists(ready_path):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"sink in {self.dir} did not start:\n{self.output()}")
            time.sleep(0.05)
        with open(ready_path, encoding="ascii") as f:
            self.port = int(f.read())
        return self

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def output(self):
        """The sink process's own stdout/stderr (aiosmtpd warnings, tracebacks)."""
        try:
            with open(os.path.join(self.dir, "sink.out"), encoding="utf-8",
                      errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def records(self):
        """Every DATA transaction so far, oldest first (complete log lines only)."""
        try:
            with open(os.path.join(self.dir, "log.jsonl"), encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.split("\n")[:-1] if line]

    def accepted(self):
        return [r for r in self.records() if r["decision"] == "accepted"]

    def rejected(self):
        return [r for r in self.records() if r["decision"] == "rejected"]

    def wait_for_records(self, count, timeout=30, where=None):
        """Waits until at least `count` records (those satisfying `where`, if given) exist
        and returns them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.records() if where is None or where(r)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"sink in {self.dir} has {len(found)} matching record(s), wanted {count} "
                    f"within {timeout} s; all records:\n{json.dumps(self.records(), indent=1)}"
                    f"\nsink output:\n{self.output()}")
            time.sleep(0.05)

    def mailbox(self, rcpt):
        return os.path.join(self.dir, "mailboxes", mailbox_name(rcpt))

    def messages_for(self, rcpt):
        """The accepted copies for one recipient, oldest first, as bytes."""
        box = self.mailbox(rcpt)
        if not os.path.isdir(box):
            return []
        out = []
        for name in sorted(n for n in os.listdir(box) if n.endswith(".eml")):
            with open(os.path.join(box, name), "rb") as f:
                out.append(f.read())
        return out


class StrictSink(Sink):
    """reject_rcpts: {address: reply} refused at RCPT TO, as a provider refuses a mailbox
    that does not exist ("550 5.1.1 ...")."""

    def __init__(self, directory, dns_port, assume_client_ip, require_alignment=True,
                 hostname="mx.sink.example", reject_rcpts=None):
        super().__init__(directory, protocol="smtp", checks=True, dns_port=dns_port,
                         assume_client_ip=assume_client_ip,
                         require_alignment=require_alignment, hostname=hostname,
                         reject_rcpts=reject_rcpts)


class CatchAllSink(Sink):
    def __init__(self, directory, hostname="catch.sink.example"):
        super().__init__(directory, protocol="smtp", hostname=hostname)


class LmtpCatcher(Sink):
    def __init__(self, directory, hostname="lmtp.sink.example"):
        super().__init__(directory, protocol="lmtp", hostname=hostname)


def mailbox_name(rcpt):
    return rcpt.lower().replace("/", "%2F") or "%empty"


def make_dkim_key(directory, name="dkim"):
    """An RSA-2048 key made by openssl: (path of the PEM private key, the DKIM TXT record's
    character-strings, each at most 255 bytes, for loopback_dns.txt(*strings))."""
    key_path = os.path.join(directory, f"{name}.key")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", key_path], check=True, capture_output=True)
    der = subprocess.run(["openssl", "pkey", "-in", key_path, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    record = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    return key_path, [record[i:i + 255] for i in range(0, len(record), 255)]


def dkim_sign(message, domain, selector, key_path,
              headers=("from", "to", "subject", "date", "message-id"), arc_srv_id=None):
    """The message with a DKIM-Signature by dkimpy (relaxed/relaxed, rsa-sha256) prepended;
    with arc_srv_id, an ARC set sealing the Authentication-Results of that authserv-id
    instead."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(message)
        f.flush()
        proc = subprocess.run([SYSTEM_PYTHON, os.path.abspath(__file__), "sign", f.name, domain,
                               selector, key_path, ",".join(headers), arc_srv_id or ""],
                              capture_output=True)
    if proc.returncode != 0:
        raise AssertionError(f"dkimpy signing failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


# --- the sink process (runs under /usr/bin/python3) ------------------------------------


class PublicSuffixes:
    """Organizational domains (RFC 7489 section 3.2) from the public suffix list: the
    public suffix plus one label, where a name matching no rule has its last label as the
    public suffix (the implicit "*" rule; test TLDs such as .example are not listed)."""

    def __init__(self, path=PUBLIC_SUFFIX_LIST):
        self.rules, self.exceptions = set(), set()
        with open(path, encoding="utf-8") as f:
            for line in f:
                rule = line.strip().split()[0] if line.strip() else ""
                if not rule or rule.startswith("//"):
                    continue
                if rule.startswith("!"):
                    self.exceptions.add(rule[1:].lower())
                else:
                    self.rules.add(rule.lower())

    def suffix_length(self, labels):
        for i in range(len(labels)):
            name = ".".join(labels[i:])
            if name in self.exceptions:
                return len(labels) - i - 1
        best = 1
        for i in range(len(labels)):
            name = ".".join(labels[i:])
            wildcard = ".".join(["*"] + labels[i + 1:])
            if name in self.rules or (i + 1 < len(labels) and wildcard in self.rules):
                best = max(best, len(labels) - i)
        return best

    def org_domain(self, domain):
        labels = domain.lower().rstrip(".").split(".")
        keep = min(len(labels), self.suffix_length(labels) + 1)
        return ".".join(labels[-keep:])


def domain_of(address):
    return address.rsplit("@", 1)[1].lower().rstrip(".") if "@" in address else ""


class AuthChecker:
    """SPF, DKIM, ARC and DMARC for one message, reading the loopback DNS server."""

    def __init__(self, config):
        import dns.resolver

        self.resolver = dns.resolver.Resolver(configure=False)
        self.resolver.nameservers = ["127.0.0.1"]
        self.resolver.port = config["dns_port"]
        self.resolver.lifetime = 5
        # pyspf resolves through dnspython's default resolver.
        dns.resolver.default_resolver = self.resolver
        self.client_ip = config["client_ip"]
        self.suffixes = PublicSuffixes()

    def txt(self, name):
        """The TXT records at `name` as strings, [] when there are none."""
        import dns.exception
        import dns.resolver

        try:
            answer = self.resolver.resolve(name, "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.exception.DNSException:
            return None
        return [b"".join(r.strings).decode("utf-8", errors="replace") for r in answer]

    def dnsfunc(self, name, timeout=5):
        records = self.txt(name.decode() if isinstance(name, bytes) else name)
        return records[0].encode() if records else None

    def spf(self, mail_from, helo):
        import spf

        identity = mail_from or f"postmaster@{helo}"
        result, explanation = spf.check2(i=self.client_ip, s=identity, h=helo or "unknown")
        return {"result": result, "domain": domain_of(identity), "reason": explanation}

    def dkim(self, message):
        import dkim
        import dkim.util

        try:
            checker = dkim.DKIM(message)
        except Exception as e:  # noqa: BLE001 - a malformed message fails every signature
            return [{"result": "permerror", "d": "", "s": "", "a": "", "reason": str(e)}]
        values = [v for n, v in checker.headers if n.lower() == b"dkim-signature"]
        results = []
        for i, value in enumerate(values):
            try:
                tags = dkim.util.parse_tag_value(b"".join(value.split()))
            except Exception:  # noqa: BLE001
                tags = {}
            entry = {key: tags.get(key.encode(), b"").decode(errors="replace")
                     for key in ("d", "s", "a")}
            entry["b"] = tags.get(b"b", b"")[:8].decode(errors="replace")
            try:
                entry["result"] = "pass" if checker.verify(idx=i, dnsfunc=self.dnsfunc) else "fail"
            except Exception as e:  # noqa: BLE001
                entry["result"], entry["reason"] = "permerror", str(e)
            entry["d"] = entry["d"].lower()
            results.append(entry)
        return results

    def arc(self, message):
        import dkim

        try:
            cv, _, comment = dkim.arc_verify(message, dnsfunc=self.dnsfunc)
        except Exception as e:  # noqa: BLE001
            return {"result": "fail", "reason": str(e)}
        return {"result": cv.decode(), "reason": comment}

    def dmarc_record(self, from_domain):
        """(tags, domain the record was found at), or (None, None)."""
        candidates = [from_domain]
        org = self.suffixes.org_domain(from_domain)
        if org != from_domain:
            candidates.append(org)
        for domain in candidates:
            records = [r for r in (self.txt(f"_dmarc.{domain}") or [])
                       if r.startswith("v=DMARC1")]
            if len(records) == 1:
                tags = {}
                for part in records[0].split(";"):
                    if "=" in part:
                        key, value = part.split("=", 1)
                        tags[key.strip().lower()] = value.strip()
                return tags, domain
        return None, None

    def aligned(self, domain, from_domain, mode):
        if mode == "s":
            return domain == from_domain
        return self.suffixes.org_domain(domain) == self.suffixes.org_domain(from_domain)

    def dmarc(self, from_addresses, spf_result, dkim_results):
        domains = {domain_of(a) for a in from_addresses}
        if len(domains) != 1 or "" in domains:
            return {"result": "permerror", "from_domain": "", "policy": "", "aligned_by": [],
                    "reason": f"need exactly one From domain, found {sorted(domains)}"}
        from_domain = domains.pop()
        tags, found_at = self.dmarc_record(from_domain)
        tags = tags or {}
        aligned_by = []
        if spf_result["result"] == "pass" and self.aligned(
                spf_result["domain"], from_domain, tags.get("aspf", "r")):
            aligned_by.append(f"spf:{spf_result['domain']}")
        for sig in dkim_results:
            if sig["result"] == "pass" and self.aligned(sig["d"], from_domain,
                                                        tags.get("adkim", "r")):
                aligned_by.append(f"dkim:{sig['d']}")
        policy = ""
        if found_at is not None:
            policy = tags.get("p", "none")
            if found_at != from_domain:
                policy = tags.get("sp", policy)
        result = "none" if found_at is None else ("pass" if aligned_by else "fail")
        return {"result": result, "from_domain": from_domain, "policy": policy.lower(),
                "record_domain": found_at or "", "aligned_by": aligned_by}

    def check(self, message, mail_from, helo, from_addresses):
        spf_result = self.spf(mail_from, helo)
        dkim_results = self.dkim(message)
        return {"spf": spf_result, "dkim": dkim_results, "arc": self.arc(message),
                "dmarc": self.dmarc(from_addresses, spf_result, dkim_results)}


def rejection(auth, require_alignment, client_ip, hostname, seq):
    """The 550-5.7.26 reply (Gmail's wording where Gmail has one), or None to accept."""
    dmarc, spf_result, sigs = auth["dmarc"], auth["spf"], auth["dkim"]
    if dmarc["aligned_by"]:
        return None
    enforced = dmarc["result"] == "fail" and dmarc["policy"] in ("quarantine", "reject")
    any_pass = spf_result["result"] == "pass" or any(s["result"] == "pass" for s in sigs)
    if not (require_alignment or enforced or not any_pass):
        return None
    lines = []
    if enforced:
        lines += [f"Unauthenticated email from {dmarc['from_domain']} is not accepted due to",
                  f"domain's DMARC policy (p={dmarc['policy']})."]
    lines += ["This mail fails to pass authentication checks (SPF or DKIM) aligned",
              f"with the From: domain [{dmarc['from_domain']}]. Authentication results:"]
    dkim_text = ", ".join(f"d={s['d']} {s['result']}" for s in sigs) or "none"
    lines += [f" DKIM = {dkim_text}",
              f" SPF [{spf_result['domain']}] with ip: [{client_ip}] = {spf_result['result']}",
              f" DMARC [{dmarc['from_domain']}] = {dmarc['result']}"]
    return "\r\n".join([f"550-5.7.26 {line}" for line in lines] +
                       [f"550 5.7.26 {hostname}: message {seq} refused"])


def authentication_results(hostname, auth, client_ip):
    parts = [hostname]
    for sig in auth["dkim"] or [{"result": "none"}]:
        text = f"dkim={sig['result']}"
        if sig.get("d"):
            text += (f" header.d={sig['d']} header.s={sig['s']} header.a={sig['a']}"
                     f" header.b={sig['b']}")
        parts.append(text)
    spf_result = auth["spf"]
    parts.append(f"spf={spf_result['result']} (client-ip {client_ip}) "
                 f"smtp.mailfrom={spf_result['domain']}")
    dmarc = auth["dmarc"]
    parts.append(f"dmarc={dmarc['result']} (p={dmarc['policy'] or 'none'}) "
                 f"header.from={dmarc['from_domain'] or 'unknown'}")
    parts.append(f"arc={auth['arc']['result']}")
    return "Authentication-Results: " + ";\r\n\t".join(parts) + "\r\n"


def header_values(message, name):
    from email.header import decode_header, make_header

    import dkim

    try:
        headers, _ = dkim.rfc822_parse(message)
    except Exception:  # noqa: BLE001
        return []
    out = []
    for field, value in headers:
        if field.lower() == name:
            text = value.decode("utf-8", errors="replace").strip()
            try:
                text = str(make_header(decode_header(text)))
            except Exception:  # noqa: BLE001 - keep the raw text
                pass
            out.append(" ".join(text.split()))
    return out


def xtext_decode(text):
    out, i = bytearray(), 0
    raw = text.encode()
    while i < len(raw):
        if raw[i:i + 1] == b"+" and re.fullmatch(rb"[0-9A-Fa-f]{2}", raw[i + 1:i + 3]):
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode("utf-8", errors="replace")


class Store:
    def __init__(self, directory):
        import threading

        self.dir = directory
        self.lock = threading.Lock()
        self.log_path = os.path.join(directory, "log.jsonl")
        try:
            with open(self.log_path, encoding="utf-8") as f:
                self.seq = sum(1 for _ in f)
        except FileNotFoundError:
            self.seq = 0

    def next_seq(self):
        with self.lock:
            self.seq += 1
            return self.seq

    def write(self, relative, data):
        path = os.path.join(self.dir, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.rename(path + ".tmp", path)
        return relative

    def log(self, record):
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        with self.lock:
            fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)


class Handler:
    def __init__(self, config, checker, store, pool):
        self.config, self.checker, self.store, self.pool = config, checker, store, pool
        self.lmtp = config["protocol"] == "lmtp"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.lmtp:
            responses.insert(-1, "250-XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.config.get("reject_rcpts", {}).get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        facts = {"protocol": self.config["protocol"], "peer": session.peer[0],
                 "helo": session.host_name or "",
                 "mail_from": (envelope.mail_from or "").strip("<>"),
                 "mail_options": list(envelope.mail_options),
                 "rcpt_tos": list(envelope.rcpt_tos),
                 "xforward": dict(getattr(session, "xforward", {}))}
        session.xforward = {}
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, self.process, facts,
                                          envelope.original_content)

    def process(self, facts, message):
        seq = self.store.next_seq()
        record = {"seq": seq, "time": time.time(), **facts,
                  "from": header_values(message, b"from"),
                  "subject": (header_values(message, b"subject") or [""])[0]}
        prefix = f"Return-Path: <{facts['mail_from']}>\r\n"
        reply = None
        if self.checker is not None:
            from email.utils import getaddresses

            auth = self.checker.check(message, facts["mail_from"], facts["helo"],
                                      [a for _, a in getaddresses(record["from"]) if a])
            record["auth"] = auth
            reply = rejection(auth, self.config["require_alignment"], self.config["client_ip"],
                              self.config["hostname"], seq)
            prefix += authentication_results(self.config["hostname"], auth,
                                             self.config["client_ip"])
        if reply is None:
            record["decision"] = "accepted"
            record["files"] = [self.store.write(
                os.path.join("mailboxes", mailbox_name(rcpt), f"{seq:06d}.eml"),
                prefix.encode() + message) for rcpt in facts["rcpt_tos"]]
            ok = f"250 2.0.0 Ok: queued as {seq}"
            reply = "\r\n".join([ok] * len(facts["rcpt_tos"])) if self.lmtp else ok
        else:
            record["decision"] = "rejected"
            record["files"] = [self.store.write(os.path.join("rejected", f"{seq:06d}.eml"),
                                                message)]
            if self.lmtp:
                reply = "\r\n".join([reply] * len(facts["rcpt_tos"]))
        record["reply"] = reply
        self.store.log(record)
        return reply


def serve(config_path):
    import asyncio
    import concurrent.futures

    from aiosmtpd.lmtp import LMTP
    from aiosmtpd.smtp import SMTP

    class XforwardLMTP(LMTP):
        async def smtp_XFORWARD(self, arg):
            attributes = getattr(self.session, "xforward", {})
            for item in arg.split():
                name, _, value = item.partition("=")
                attributes[name.upper()] = xtext_decode(value)
            self.session.xforward = attributes
            await self.push("250 2.0.0 Ok")

    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    checker = AuthChecker(config) if config["checks"] else None
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=4)
    handler = Handler(config, checker, Store(config["directory"]), pool)
    protocol = XforwardLMTP if config["protocol"] == "lmtp" else SMTP
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: protocol(handler, hostname=config["hostname"], enable_SMTPUTF8=True, loop=loop),
        host="127.0.0.1", port=0))
    port = server.sockets[0].getsockname()[1]
    ready = os.path.join(config["directory"], "ready")
    with open(ready + ".tmp", "w", encoding="ascii") as f:
        f.write(str(port))
    os.rename(ready + ".tmp", ready)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    server.close()
    pool.shutdown(wait=False)


def sign(message_path, domain, selector, key_path, headers, arc_srv_id):
    import dkim

    with open(message_path, "rb") as f:
        message = f.read()
    with open(key_path, "rb") as f:
        key = f.read()
    include = [h.encode() for h in headers.split(",")]
    if arc_srv_id:
        fields = dkim.arc_sign(message, selector.encode(), domain.encode(), key,
                               arc_srv_id.encode(), include_headers=include)
        sys.stdout.buffer.write(b"".join(fields) + message)
        return
    field = dkim.sign(message, selector.encode(), domain.encode(), key,
                      canonicalize=(b"relaxed", b"relaxed"), include_headers=include)
    sys.stdout.buffer.write(field + message)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"] and len(sys.argv) == 3:
        serve(sys.argv[2])
    elif sys.argv[1:2] == ["sign"] and len(sys.argv) == 8:
        sign(*sys.argv[2:])
    else:
        sys.exit("usage: strict_sink.py serve CONFIG.json | "
                 "sign MESSAGE DOMAIN SELECTOR KEY HEADERS ARC_SRV_ID|''")

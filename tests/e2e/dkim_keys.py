"""DKIM keys for end-to-end tests, made by the tools operators use, with their DNS records.

    path, name, strings = cqlist_key(directory, "cq", "lists.example.test")
    records[name] = [txt(*strings)]
"""
import os
import re
import subprocess

from harness import run_cqlist


def cqlist_key(directory, selector, domain, algorithm="rsa2048"):
    """`cqlist dkim keygen`: (private key path, record name, TXT character-strings)."""
    path = os.path.join(directory, f"{selector}.pem")
    _, out, _ = run_cqlist("dkim", "keygen", "--domain", domain, "--selector", selector,
                           "--algorithm", algorithm, "--out", path, check_exit=0)
    line = next(l for l in out.splitlines() if " IN TXT " in l)
    return path, line.split()[0].rstrip("."), re.findall(r'"([^"]*)"', line)


def dkimpy_key(directory, selector, domain, ktype="rsa"):
    """dkimpy's `dknewkey` (RSA as PKCS#1 PEM, or an Ed25519 seed): (private key path, record
    name, TXT character-strings of at most 255 bytes)."""
    extra = [] if ktype == "rsa" else ["--ktype", ktype]
    subprocess.run(["dknewkey", *extra, selector], cwd=directory, check=True,
                   capture_output=True)
    with open(os.path.join(directory, selector + ".dns"), encoding="ascii") as f:
        text = f.read().strip()
    return (os.path.join(directory, selector + ".key"), f"{selector}._domainkey.{domain}",
            [text[i:i + 255] for i in range(0, len(text), 255)])

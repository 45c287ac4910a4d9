"""Shared pieces of the end-to-end tests: argument parsing and running the cqlist binary."""
import argparse
import os
import shutil
import subprocess
import sys
import unittest


class Env:
    cqlist = ""
    source_root = ""
    shared = ""


def run_cqlist(*args, stdin=None, check_exit=None):
    """Runs the real cqlist binary; returns (exit code, stdout, stderr) as text."""
    proc = subprocess.run([Env.cqlist, *args], input=stdin, capture_output=True, timeout=120)
    out = proc.stdout.decode("utf-8", errors="replace")
    err = proc.stderr.decode("utf-8", errors="replace")
    if check_exit is not None and proc.returncode != check_exit:
        raise AssertionError(
            f"cqlist {' '.join(args)} exited {proc.returncode}, expected {check_exit}\n"
            f"stdout:\n{out}\nstderr:\n{err}")
    return proc.returncode, out, err


class ScratchDirTest(unittest.TestCase):
    """A test class with a scratch directory (cls.dir) and possibly a LoopbackDns (cls.dns),
    both removed after the class, also when setUpClass fails half-way (call
    cls.tearDownClass() there before re-raising)."""
    dir = None
    dns = None

    @classmethod
    def tearDownClass(cls):
        if cls.dns is not None:
            cls.dns.stop()
            cls.dns = None
        if cls.dir is not None:
            shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def path(cls, name):
        return os.path.join(cls.dir, name)

    def write(self, name, data):
        """Writes bytes to a scratch file and returns its path."""
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cqlist", required=True)
    parser.add_argument("--source-root", required=True)
    parser.add_argument("--shared", required=True)
    args, rest = parser.parse_known_args()
    Env.cqlist, Env.source_root, Env.shared = args.cqlist, args.source_root, args.shared
    program = unittest.main(module="__main__", argv=[sys.argv[0], *rest], exit=False, verbosity=2)
    result = program.result
    if result.testsRun == 0:
        print("no test ran")
        sys.exit(1)
    sys.exit(0 if result.wasSuccessful() else 1)

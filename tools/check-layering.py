#!/usr/bin/env python3
"""Fails when an #include in src/ points against the module table of docs/architecture.md.

Each module may include only itself and the modules listed for it. Sub-folders of a module
(auth/dkim, store/sqlite) belong to it; server/http is named separately because web may use it.
"""
import pathlib
import re
import sys

ALLOWED = {
    "base": set(),
    "mail": {"base"},
    "dns": {"base"},
    "auth": {"base", "mail", "dns"},
    "store": {"base", "mail"},
    "list": {"base", "mail", "dns", "auth", "store"},
    "bounce": {"base", "mail", "store", "list"},
    "doctor": {"base", "mail", "dns", "auth", "store"},
    "server": {"base", "mail"},
    "web": {"base", "mail", "store", "list", "server/http"},
    "cli": None,  # the composition root may include everything
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def target_allowed(module: str, target: str) -> bool:
    allowed = ALLOWED[module]
    if allowed is None:
        return True
    top = target.split("/", 1)[0]
    if top == module:
        return True
    if top not in ALLOWED:
        return True  # not a cqlist module header (e.g. a generated file)
    return top in allowed or any(target.startswith(a + "/") for a in allowed if "/" in a)


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent
    src = root / "src"
    problems = []
    checked = 0
    for path in sorted(src.rglob("*")):
        if path.suffix not in {".hpp", ".cpp", ".h"}:
            continue
        module = path.relative_to(src).parts[0]
        if module not in ALLOWED:
            problems.append(f"{path.relative_to(root)}: folder src/{module} is not a known module; "
                            "add it to tools/check-layering.py and docs/architecture.md")
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            checked += 1
            target = match.group(1)
            if "/detail/" in target and not target.startswith(module + "/"):
                problems.append(f"{path.relative_to(root)}:{number} includes {target}: "
                                "another module's detail/ headers are private")
            elif not target_allowed(module, target):
                problems.append(f"{path.relative_to(root)}:{number} includes {target}: "
                                f"{module} may not depend on {target.split('/', 1)[0]}")
    for problem in problems:
        print(problem)
    print(f"check-layering: {checked} includes checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks every #include of prid's sources against docs/design.md.

The table under "## Folders and what each may include" in docs/design.md is
the contract: for each source folder, the folders or headers of ours it may
include and the libraries whose headers it may use. This script reads that
table, so the document and the build cannot disagree; the build runs it
(meson custom_target), so an include that breaks the layering fails `ninja`.

Usage: check_layering.py SOURCE_ROOT [STAMP]  (exit 1 and one line per
offending include, naming the file, the line and the rule.)
"""
import pathlib
import re
import sys

# The headers by which each library named in the table is recognized. The
# C and C++ standard libraries and POSIX headers other than sockets are
# allowed everywhere.
LIBRARY_HEADERS = {
    "libpri": [r"libpri\.h"],
    "libev": [r"ev\+\+\.h", r"ev\.h"],
    "nlohmann-json": [r"nlohmann/"],
    "simdjson": [r"simdjson\.h"],
    "toml++": [r"toml\+\+/"],
    "libsystemd": [r"systemd/"],
    "dahdi": [r"dahdi/"],
    "fmt": [r"fmt/"],
    "CLI11": [r"CLI/"],
    "libmicrohttpd": [r"microhttpd\.h"],
    "sqlite3": [r"sqlite3\.h"],
    "libpq": [r"libpq-fe\.h", r"libpq/"],
    "sockets": [r"sys/socket\.h", r"sys/un\.h", r"netinet/", r"arpa/inet\.h"],
}

ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|[^|]*\|([^|]*)\|([^|]*)\|\s*$")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def read_rules(design: pathlib.Path):
    rules = {}
    in_table = False
    for line in design.read_text().splitlines():
        if line.startswith("## "):
            in_table = line.startswith("## Folders and what each may include")
            continue
        if not in_table:
            continue
        m = ROW.match(line)
        if not m:
            continue
        folder = m.group(1).rstrip("/")
        ours = re.findall(r"`([^`]+)`", m.group(2))
        libraries = [x.strip() for x in m.group(3).split(",") if x.strip() not in ("", "–", "-")]
        for lib in libraries:
            if lib not in LIBRARY_HEADERS:
                sys.exit(f"{design}: folder {folder}: unknown library '{lib}' "
                         f"(known: {', '.join(sorted(LIBRARY_HEADERS))})")
        rules[folder] = (ours, libraries)
    if not rules:
        sys.exit(f"{design}: no table under '## Folders and what each may include'")
    return rules


def own_folder(path: str, rules) -> str:
    """The most specific folder of the table that holds `path` directly
    (daemon/ itself holds only the files directly in it)."""
    parent = str(pathlib.PurePosixPath(path).parent)
    return parent if parent in rules else ""


def allowed_ours(header: str, folder: str, ours) -> bool:
    if header.startswith(folder + "/") and "/" not in header[len(folder) + 1:]:
        return True  # its own headers
    if "/" not in header:
        return True  # generated headers beside the build (prid_build_config.h)
    for item in ours:
        if item.endswith("/"):
            sub = header[len(item):]
            if header.startswith(item) and "/" not in sub:
                return True
        elif header == item:
            return True
    return False


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    rules = read_rules(root / "docs" / "design.md")
    ours_roots = {f.split("/")[0] for f in rules}
    problems = []
    for folder in rules:
        for path in sorted((root / folder).glob("*")):
            if path.suffix not in (".h", ".cc"):
                continue
            rel = path.relative_to(root).as_posix()
            ours, libraries = rules[folder]
            for number, line in enumerate(path.read_text().splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, header = m.groups()
                if kind == '"' and header.split("/")[0] in ours_roots:
                    if not allowed_ours(header, folder, ours):
                        problems.append(f"{rel}:{number}: includes {header}, but {folder}/ may include only "
                                        f"{', '.join(ours) or 'nothing of ours'} (docs/design.md)")
                    continue
                for lib, patterns in LIBRARY_HEADERS.items():
                    if any(re.match(p, header) for p in patterns) and lib not in libraries:
                        problems.append(f"{rel}:{number}: includes <{header}> ({lib}), which {folder}/ may "
                                        f"not use (docs/design.md allows: {', '.join(libraries) or 'none'})")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    if len(sys.argv) > 2:
        pathlib.Path(sys.argv[2]).write_text("ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

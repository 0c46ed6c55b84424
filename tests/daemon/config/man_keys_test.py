#!/usr/bin/env python3
"""prid.conf(5) documents every key the config reader accepts: the keys of
each RejectUnknownKeys({...}) table in daemon/config/config.cc, each found as
a tagged paragraph (.TP) of man/prid.conf.5, the tables ([daemon], [cdr],
[[span]]) as its sections.

Usage: man_keys_test.py SOURCE_ROOT
"""
import os
import re
import sys
import unittest

ROOT = ""
TABLES = {"daemon", "cdr", "span"}


def reader_keys(source):
    """Every key literal of every RejectUnknownKeys({...}) call."""
    keys = set()
    for match in re.finditer(r"RejectUnknownKeys\(\s*\{(.*?)\}\s*\)", source, re.S):
        keys.update(re.findall(r'"([^"]+)"', match.group(1)))
    return keys


def documented_terms(page):
    """The words of each .TP paragraph's tag line and of the .SH headings."""
    terms = set()
    lines = page.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".TP") and i + 1 < len(lines):
            # .BR t200 ", " t203: the words outside the quoted punctuation.
            tag = re.sub(r'"[^"]*"', " ", lines[i + 1])
            terms.update(re.findall(r"[a-z][a-z0-9_]*", tag.split(None, 1)[1] if " " in tag else ""))
        heading = re.match(r"\.SH \[\[?([a-z_]+)\]\]?$", line)
        if heading:
            terms.add(heading.group(1))
    return terms


class ManKeysTest(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(ROOT, "daemon", "config", "config.cc")) as f:
            self.keys = reader_keys(f.read())
        with open(os.path.join(ROOT, "man", "prid.conf.5")) as f:
            self.terms = documented_terms(f.read())

    def test_the_reader_tables_are_found(self):
        # A guard against the extraction silently finding nothing.
        self.assertTrue(TABLES <= self.keys, self.keys)
        for key in ("socket_group", "sqlite", "dahdi_channel", "restart", "t316", "n316"):
            self.assertIn(key, self.keys)

    def test_every_key_is_documented(self):
        missing = sorted(self.keys - self.terms)
        self.assertEqual(missing, [], f"prid.conf(5) lacks: {', '.join(missing)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    ROOT = sys.argv[1]
    unittest.main(argv=[sys.argv[0]], verbosity=2)

#!/usr/bin/env python3
"""scripts/check_layering.py: the layering check refuses what docs/design.md's
table does not allow, names the file, the line and the rule, and passes the
project's own tree.

Usage: check_layering_test.py SOURCE_ROOT
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(sys.argv.pop(1)).resolve()
SCRIPT = ROOT / "scripts" / "check_layering.py"

DESIGN = """# design

## Folders and what each may include

| folder | holds | may include | libraries |
| --- | --- | --- | --- |
| `base` | basics | – | fmt |
| `daemon/session` | the model | `base/`, `q931/user_user.h` | fmt |
| `daemon/line` | spans | `base/`, `daemon/session/`, `q931/` | libpri, libev |
| `q931` | codec | `base/` | libpri |

## Next section
"""


def run(root):
    return subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True)


class CheckLayering(unittest.TestCase):
    def setUp(self):
        self.dir = pathlib.Path(tempfile.mkdtemp())
        (self.dir / "docs").mkdir()
        (self.dir / "docs" / "design.md").write_text(DESIGN)
        for folder in ("base", "daemon/session", "daemon/line", "q931"):
            (self.dir / folder).mkdir(parents=True)
        self.write("base/log.h", "#pragma once\n#include <fmt/format.h>\n#include <string>\n")
        self.write("daemon/session/model.cc", '#include "base/log.h"\n#include "q931/user_user.h"\n')
        self.write("daemon/line/span.cc", '#include <libpri.h>\n#include "daemon/session/model.h"\n')

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write(self, path, text):
        (self.dir / path).write_text(text)

    def test_allowed_includes_pass(self):
        result = run(self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_a_library_the_row_does_not_allow_fails_naming_file_line_and_rule(self):
        self.write("daemon/session/model.cc", '#include "base/log.h"\n#include <libpri.h>\n')
        result = run(self.dir)
        self.assertEqual(result.returncode, 1)
        self.assertIn("daemon/session/model.cc:2: includes <libpri.h> (libpri)", result.stderr)
        self.assertIn("docs/design.md allows: fmt", result.stderr)

    def test_a_header_of_a_folder_above_fails(self):
        self.write("daemon/session/model.cc", '#include "daemon/line/span.h"\n')
        result = run(self.dir)
        self.assertEqual(result.returncode, 1)
        self.assertIn("daemon/session/model.cc:1: includes daemon/line/span.h", result.stderr)

    def test_a_single_header_allows_only_itself(self):
        self.write("daemon/session/model.cc", '#include "q931/pri_link.h"\n')
        result = run(self.dir)
        self.assertEqual(result.returncode, 1)
        self.assertIn("includes q931/pri_link.h", result.stderr)

    def test_a_subfolder_is_not_its_parent(self):
        # daemon/line may include daemon/session/, not daemon/session/sub/.
        self.write("daemon/line/span.cc", '#include "daemon/session/sub/x.h"\n')
        self.assertEqual(run(self.dir).returncode, 1)

    def test_an_unknown_library_in_the_table_is_refused(self):
        self.write("docs/design.md", DESIGN.replace("| fmt |\n| `daemon/session`", "| fnord |\n| `daemon/session`"))
        result = run(self.dir)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("unknown library 'fnord'", result.stderr)

    def test_the_projects_own_tree_passes(self):
        result = run(ROOT)
        self.assertEqual(result.returncode, 0, result.stderr)


if __name__ == "__main__":
    unittest.main()

"""The yardstick for `diff`'s speed (issue 14): a naive paragraph diff in plain Python.

    python benchmarks/naive_diff.py OLD NEW

Paragraphs (blank-line separated) compared with difflib, a unified diff printed: what anyone
would write in five minutes. It knows nothing of clauses, markup or flags, so policywatch's
`diff` is measured as a multiple of it (benchmarks/diff_speed.py), start-up included.
"""

import difflib
import sys
from pathlib import Path

old, new = (Path(p).read_text(encoding="utf-8").split("\n\n") for p in sys.argv[1:3])
sys.stdout.writelines(difflib.unified_diff(old, new, "old", "new", lineterm="\n"))

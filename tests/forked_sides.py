"""One case of test_sides.py in a fresh interpreter, where no thread another test left behind
keeps read_sides from forking (a fork copies only the calling thread, so read_sides forks only
when no other thread lives).

    python tests/forked_sides.py CASE [ARGS] ARCHIVE

Prints how many forks read_sides made, and what it read: "same N" when the sides equal those
read one after the other; for "errors", the files the two errors name.
"""

from __future__ import annotations

import marshal
import os
import signal
import sys
from pathlib import Path

from policywatch import sides as sides_module
from policywatch.archive import Archive
from policywatch.sides import SideError, read_side, read_sides

STRESS = Path(__file__).parent / "fixtures" / "stress"
OLD, NEW = str(STRESS / "old.md"), str(STRESS / "new.md")
FORKS: list[int] = []
os.register_at_fork(before=lambda: FORKS.append(os.getpid()))


def main() -> int:
    case, archive = sys.argv[1], Archive(Path(sys.argv[-1]))
    parent = os.getpid()
    real_dumps = marshal.dumps
    if case == "dies":  # killed, out of memory ...: nothing written to the pipe

        def dies_in_the_child(spec: str, where: Archive) -> sides_module.Side:
            if os.getpid() != parent:
                os._exit(3)
            return read_side(spec, where)

        sides_module.read_side = dies_in_the_child  # type: ignore[assignment]
    elif case == "killed":  # the OOM killer, kill -9 ... while it sends

        def killed_in_the_child(value: object) -> bytes:
            if os.getpid() != parent:
                os.kill(os.getpid(), signal.SIGKILL)
            return real_dumps(value)

        marshal.dumps = killed_in_the_child
    elif case == "cut":  # a message cut short
        kept = int(sys.argv[2])

        def cut_short(value: object) -> bytes:
            data = real_dumps(value)
            return data[:kept] if os.getpid() != parent else data

        marshal.dumps = cut_short
    elif case == "errors":  # the first side's error first, then the second's alone
        failed = []
        for pair in ((sys.argv[2], sys.argv[3]), (OLD, sys.argv[3])):
            try:
                read_sides(*pair, archive)
            except SideError as exc:
                failed.append(str(exc).split(":")[0])
        print(f"errors {len(FORKS)} {' | '.join(failed)}")
        return 0
    sides = read_sides(OLD, NEW, archive)
    same = sides == (read_side(OLD, archive), read_side(NEW, archive))
    print(f"{'same' if same else 'different'} {len(FORKS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

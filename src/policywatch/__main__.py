"""The command line's entry point (`policywatch` and `python -m policywatch`)."""

import gc


def run() -> None:
    # A command is a short-lived process that builds many objects and keeps most of them
    # until it ends; the cyclic collector, run every 700 allocations, walks them again and
    # again (the stress pair's diff: 7 ms). mypy tunes it the same way, before its imports,
    # which allocate much too.
    gc.set_threshold(200_000, 30, 30)
    from .cli import main

    main()


if __name__ == "__main__":
    run()

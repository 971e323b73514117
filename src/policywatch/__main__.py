"""The command line's entry point (`policywatch` and `python -m policywatch`)."""


def run() -> None:
    from .collector import for_start_up

    for_start_up()  # before the imports, which allocate much
    from .cli import main

    main()


if __name__ == "__main__":
    run()

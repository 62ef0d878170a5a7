#!/usr/bin/env python3
"""Fails when an object file of a build tree holds its own copy of fmt's formatting engine.

fmt 9 defines fmt::detail::vformat_to<char> in <fmt/format.h> without declaring libfmt's
instantiation extern, so a source that reaches spdlog without sdk/include/bib/logger.hpp compiles
the whole engine again (the SDK's fmt_engine.cpp holds the one copy clang-built code calls) (about 290 KB of code, half its compile time). The test names each such
object; the fix is to include "bib/logger.hpp" in it (or in a header it includes) before it logs.

    fmt_engine_test.py BUILD_TREE
"""
import pathlib
import re
import subprocess
import sys

# The SDK's one copy for clang-built code (sdk/src/fmt_engine.cpp).
THE_COPY = "fmt_engine.cpp.o"
ENGINE = re.compile(r"^(?:void )?fmt::v\d+::detail::vformat_to<char>\(fmt::v\d+::detail::buffer<char>&")


def symbols(objects, defined):
    """(object, demangled name) of each symbol the objects define (or, not defined, reference)."""
    found = []
    for start in range(0, len(objects), 200):
        batch = objects[start:start + 200]
        option = "--defined-only" if defined else "--undefined-only"
        out = subprocess.run(["nm", "-A", "-C", option, *batch], check=True,
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            path, _, rest = line.partition(":")
            # "ADDRESS TYPE NAME" for a definition, "U NAME" for a reference
            parts = rest.split(None, 2 if defined else 1)
            if len(parts) >= 2:
                found.append((path, parts[-1]))
    return found


def main():
    tree = pathlib.Path(sys.argv[1])
    objects = sorted(str(p) for p in tree.rglob("*.o"))
    if len(objects) < 50:
        sys.exit(f"only {len(objects)} object files under {tree}: build the tree first")
    copies = sorted({path for path, name in symbols(objects, defined=True)
                     if ENGINE.match(name) and pathlib.Path(path).name != THE_COPY})
    callers = {path for path, name in symbols(objects, defined=False) if ENGINE.match(name)}
    if copies:
        print(f"{len(copies)} of {len(objects)} object files compile their own copy of fmt's formatting "
              'engine; include "bib/logger.hpp" in their sources:')
        for path in copies:
            print(f"  {path}")
        return 1
    # With neither a copy nor a call, the pattern no longer names the symbol (a new fmt): the test
    # would pass whatever the build did.
    if not callers:
        sys.exit(f"no object of {len(objects)} calls fmt::detail::vformat_to<char>: the pattern "
                 "needs updating for this fmt")
    print(f"{len(objects)} object files: none holds a copy of fmt's formatting engine, "
          f"{len(callers)} call the one copy")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: `python -m projects.spc < documents.json > results.json`.

Reads one input document, or a JSON array of them, on stdin; writes the result, or an
array of results in the same order, on stdout as compact JSON. Bad input exits with
status 2 and `{"error": {"field": ..., "message": ...}}` on stderr (with `"index"` naming
the document when the input is an array). An internal failure exits with status 1.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from .api import analyse_batches, parse_document, parse_documents
from .encode import encode_results
from .errors import SPCInputError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m projects.spc",
        description="Analyse SPC input documents (JSON on stdin) and write results (stdout).",
    )
    parser.add_argument(
        "--pretty", action="store_true", help="indent the output for reading by eye"
    )
    arguments = parser.parse_args(argv)
    # A one-shot process building millions of cycle-free objects: the cyclic collector
    # would only slow it down, and everything is freed at exit anyway.
    gc.disable()
    out = sys.stdout
    try:
        if arguments.pretty:
            out.write(run(sys.stdin.buffer.read(), pretty=True))
        else:
            write_results(sys.stdin.buffer.read(), out.write)
        out.write("\n")
        out.flush()
    except SPCInputError as error:
        _write_error(error.as_dict())
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader left early (`| head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    except Exception as error:  # report, never hide, an engine fault
        traceback.print_exc()
        _write_error({"field": None, "message": f"internal error: {error}"})
        return EXIT_INTERNAL
    return 0


def run(raw: bytes, *, pretty: bool = False) -> str:
    """Turn the raw stdin bytes into the output text; raises SPCInputError for bad input."""
    pieces: list[str] = []
    write_results(raw, pieces.append)
    text = "".join(pieces)
    if pretty:
        return json.dumps(json.loads(text), indent=2)
    return text


def write_results(raw: bytes, write: Callable[[str], object]) -> None:
    """Parse, check and analyse the input, passing the output text to `write` in pieces.

    Every document is checked before anything is written, so bad input never leaves a
    partial answer on stdout. Results are then written as each pass finishes, in input
    order, so the whole answer never has to sit in memory at once.
    """
    try:
        data: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise SPCInputError(None, f"the input is not valid JSON: {error}") from None
    many = isinstance(data, list)
    series = parse_documents(data) if many else [parse_document(data)]
    del data  # the checked arrays are all we need; free the parsed JSON for reuse
    ready: dict[int, str] = {}
    written = 0
    write("[" if many else "")
    for indices, batch in analyse_batches(series):
        ready.update(zip(indices, encode_results(batch), strict=True))
        while written in ready:
            write(("," if written else "") + ready.pop(written))
            written += 1
    write("]" if many else "")


def _write_error(body: dict[str, Any]) -> None:
    sys.stderr.write(json.dumps({"error": body}))
    sys.stderr.write("\n")


if __name__ == "__main__":
    sys.exit(main())

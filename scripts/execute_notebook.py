"""Executes one notebook with the Deno kernel and writes the executed copy, keeping late outputs.

usage: python3 scripts/execute_notebook.py <notebook.ipynb> <executed.ipynb> [timeout-s]

`jupyter nbconvert --execute` (nbclient) stops reading a cell's outputs at the kernel's `idle`
status. The Deno kernel sometimes publishes a cell's `execute_result` just after that status
(seen with Deno 2.9.6: a figure or a table missing from one or two cells of a notebook, a
different cell each run), so the executed copy silently lost it. This runner is nbclient with
one change: after a cell's `idle`, it keeps reading that cell's messages until none has come for
LINGER_S seconds. It prints how many late outputs it kept, and exits non-zero on a failing cell,
as nbconvert does. Debian's python3-nbclient, run by `deno task notebooks` (scripts/notebooks.ts).
"""

import os
import sys
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async

# How long to wait for a cell's late messages after its idle status.
LINGER_S = 0.3


class LingeringClient(NotebookClient):
    """nbclient's client, reading each cell's late messages after its idle status."""

    late_outputs = 0

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    break
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=LINGER_S))
            except Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            if msg["msg_type"] in ("execute_result", "display_data", "stream", "error"):
                self.late_outputs += 1
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                pass


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    source, target = sys.argv[1], sys.argv[2]
    timeout = int(sys.argv[3]) if len(sys.argv) == 4 else 600
    notebook = nbformat.read(source, as_version=4)
    client = LingeringClient(
        notebook,
        kernel_name="deno",
        timeout=timeout,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(source))}},
    )
    client.execute()
    partial = target + ".partial"
    nbformat.write(notebook, partial)
    os.replace(partial, target)
    print(f"late outputs kept: {client.late_outputs}")


if __name__ == "__main__":
    main()

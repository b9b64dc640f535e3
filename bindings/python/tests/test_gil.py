"""Long work releases the GIL: another Python thread runs meanwhile.

The export reads from a named pipe that a second Python thread fills. If the export held the
GIL while blocked reading, that thread could never run and the export would never finish:
a watchdog (faulthandler, which runs outside the GIL) then ends the test run with a traceback
instead of hanging. No timing is asserted.
"""

from __future__ import annotations

import faulthandler
import json
import os
import threading
from pathlib import Path

import pytest

import userio

from conftest import sample_users

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


def _feed(fifo: Path, data: bytes, progress: list) -> None:
    with open(fifo, "wb") as f:
        for i in range(0, len(data), 4096):
            f.write(data[i : i + 4096])
            progress.append(i)


@pytest.fixture
def watchdog():
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _fed_pipe(tmp_path: Path, users: int):
    """A named pipe that a Python thread fills with `users` users, the thread and the list
    it appends to as it writes (more than one entry: it ran while the pipe was read)."""
    fifo = tmp_path / "users.pipe"
    os.mkfifo(fifo)
    data = json.dumps(sample_users(users)).encode()
    progress: list = []
    feeder = threading.Thread(target=_feed, args=(fifo, data, progress))
    feeder.start()
    return fifo, feeder, progress


def test_export_from_a_file_releases_the_gil(tmp_path: Path, watchdog) -> None:
    fifo, feeder, progress = _fed_pipe(tmp_path, 2_000)
    summary = userio.export(fifo, columns=[("Id", "user_id")], output=tmp_path / "out.csv")
    feeder.join()
    assert len(progress) > 1  # the feeder thread ran while export() was reading
    assert summary.read == 2_000


def test_validate_from_a_file_releases_the_gil(tmp_path: Path, watchdog) -> None:
    fifo, feeder, progress = _fed_pipe(tmp_path, 2_000)
    report = userio.validate(fifo)
    feeder.join()
    assert len(progress) > 1
    assert report.users == 2_000

"""The examples in the docstrings run."""

from __future__ import annotations

import doctest

import userio


def test_docstring_examples() -> None:
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs = {"userio": userio, "Query": userio.Query, "UserIndex": userio.UserIndex}
    for name, obj in (("userio", userio), ("Query", userio.Query), ("UserIndex", userio.UserIndex)):
        for test in finder.find(obj, name, globs=dict(globs)):
            runner.run(test)
    assert runner.tries >= 7
    assert runner.failures == 0

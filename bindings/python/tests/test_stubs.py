"""The hand-written stubs (`_userio.pyi`) match the compiled module (habit 12).

A cheap stand-in for `mypy.stubtest`: every public name in the stub exists at runtime with
the same kind, every class member in the stub exists on the class, functions and methods
take the same parameters, and every public runtime name is in the stub.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Dict, List, Optional

import pytest

import userio
from userio import _userio

STUB = Path(userio.__file__).with_name("_userio.pyi")


def _stub_tree() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"))


def _params(fn: ast.FunctionDef) -> List[str]:
    a = fn.args
    names = [p.arg for p in a.posonlyargs + a.args if p.arg not in ("self", "cls")]
    return names + [p.arg for p in a.kwonlyargs]


def _public(name: str) -> bool:
    return not name.startswith("_") or name == "__version__"


def _stub_names() -> Dict[str, ast.AST]:
    out: Dict[str, ast.AST] = {}
    for node in _stub_tree().body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and _public(node.name):
            out.setdefault(node.name, node)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if _public(node.target.id):
                out[node.target.id] = node
    return out


def _runtime_params(obj: object) -> Optional[List[str]]:
    try:
        sig = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return [p for p in sig.parameters if p not in ("self", "cls", "$self", "$cls")]


@pytest.mark.parametrize("name", sorted(_stub_names()))
def test_stub_name_exists_at_runtime(name: str) -> None:
    node = _stub_names()[name]
    assert hasattr(_userio, name), f"{name} is in _userio.pyi but not in the module"
    value = getattr(_userio, name)
    assert getattr(userio, name) is value, f"userio does not re-export {name}"
    if isinstance(node, ast.ClassDef):
        assert isinstance(value, type)
        for member in node.body:
            if isinstance(member, ast.FunctionDef):
                if member.name == "__new__":
                    params = _runtime_params(value)
                else:
                    assert hasattr(value, member.name), f"{name}.{member.name} missing"
                    params = _runtime_params(getattr(value, member.name))
                is_property = any(
                    isinstance(d, ast.Name) and d.id == "property" for d in member.decorator_list
                )
                if params is not None and not is_property:
                    assert params == _params(member), f"{name}.{member.name} parameters"
    elif isinstance(node, ast.FunctionDef):
        assert callable(value)
        params = _runtime_params(value)
        if params is not None:
            assert params == _params(node), f"{name} parameters"


def test_every_runtime_name_is_in_the_stub() -> None:
    runtime = {n for n in dir(_userio) if _public(n) and not inspect.ismodule(getattr(_userio, n))}
    assert runtime <= set(_stub_names()), runtime - set(_stub_names())


def test_package_exports_are_real() -> None:
    for name in userio.__all__:
        assert hasattr(userio, name), name
    assert (Path(userio.__file__).parent / "py.typed").exists()


def test_everything_public_has_a_docstring() -> None:
    for name in userio.__all__:
        obj = getattr(userio, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), f"{name} has no docstring"
    assert "output" in (userio.export.__doc__ or "")


def test_mypy_stubtest() -> None:
    """The real check (habit 12): mypy's stubtest against the compiled module. Skipped when
    mypy is not installed (scripts/test.sh installs it)."""
    pytest.importorskip("mypy")
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "userio._userio"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr

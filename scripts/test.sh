#!/usr/bin/env bash
# Runs every userio test: Rust (fmt, clippy, unit, integration, doc, vectors), then the
# Python and Node bindings against the same vectors. Installs what it needs itself:
# a venv with maturin and pytest in .venv, the napi CLI through npm. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
step() { printf '\n== %s\n' "$*"; }

# A full run builds about 2.5 GB into target/ (plus .venv and node_modules); say so up front
# rather than fail in a linker.
free_mb=$(df -Pm . | awk 'NR == 2 { print $4 }')
if [ "${free_mb:-0}" -lt 5000 ]; then
  echo "warning: only ${free_mb} MB free on $(df -P . | awk 'NR == 2 { print $6 }');" \
    "a full test run needs about 3 GB (cargo clean in old checkouts frees space)" >&2
fi

step "rust: format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "rust: tests"
cargo test --locked   # default members: the bindings are tested from Python and Node below
# The core without its `js` feature (no boa), as `--no-default-features` users build it.
cargo test --locked -p userio-core --no-default-features

# The local Auth0 tenant the Python and Node Auth0Client tests talk to.
cargo build --locked -p userio-mockauth0 --bin mockauth0

if [ -f bindings/python/pyproject.toml ]; then
  step "python: build the extension into .venv and run pytest"
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet "maturin>=1.9,<2" "pytest>=8" "mypy>=1.10"
  (cd bindings/python && VIRTUAL_ENV="$PWD/../../.venv" PATH="$PWD/../../.venv/bin:$PATH" \
    maturin develop --quiet)
  .venv/bin/python -m pytest -q bindings/python/tests
fi

if [ -f bindings/node/package.json ]; then
  step "node: build the addon and run node --test"
  (cd bindings/node && npm install --no-audit --no-fund --loglevel=error && npm run build:debug \
    && node --test test/)
  # Node loads the addon with dlopen, so its thread-locals come out of glibc's small static
  # TLS reserve, which Node itself also uses: at 1,688 bytes the addon stopped loading
  # ("cannot allocate memory in static TLS block"). Keep a margin below that.
  if command -v readelf > /dev/null; then
    tls=$(( $(readelf -lW bindings/node/userio.*.node | awk '$1 == "TLS" { print $6 }') + 0 ))
    echo "node addon: ${tls} bytes of thread-local storage"
    if [ "${tls}" -gt 1280 ]; then
      echo "error: the node addon needs ${tls} bytes of static TLS (at most 1280);" \
        "box large thread-locals" >&2
      exit 1
    fi
  fi
fi

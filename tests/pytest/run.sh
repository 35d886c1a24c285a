#!/usr/bin/env bash
# The pytest plugin (python/) as a user installs it: into a virtual environment that sees
# Debian's packages (pytest, requests, httpx), with pip offline, then pytest on a folder.
#   run.sh install BUILD SRC                 the virtual environment in BUILD/pytest-venv
#   run.sh test BUILD TEAPOT FOLDER [ARGS]   pytest on FOLDER with that venv and that teapot
set -euo pipefail
mode=$1 build=$2
venv=$build/pytest-venv
case "$mode" in
  install)
    src=$3
    rm -rf "$venv" "$build/pytest-src"
    /usr/bin/python3 -m venv --system-site-packages "$venv"
    # A copy: setuptools writes build/ and *.egg-info beside the sources it builds.
    cp -r "$src/python" "$build/pytest-src"
    "$venv/bin/pip" install --no-index --no-build-isolation --quiet "$build/pytest-src"
    "$venv/bin/python" -c 'import pytest_teapot, sys; print("installed pytest-teapot", pytest_teapot.__version__)'
    ;;
  test)
    teapot=$3 folder=$4
    shift 4
    cd "$folder"
    PYTHONDONTWRITEBYTECODE=1 TEAPOT_BIN=$teapot exec "$venv/bin/python" -m pytest -p no:cacheprovider -q "$@" .
    ;;
  *) echo "usage: run.sh install BUILD SRC | run.sh test BUILD TEAPOT FOLDER [ARGS]" >&2; exit 2 ;;
esac

"""Delete each guard of the service layer, one at a time, and see whether a test notices.

A guard is an `if ...:` whose body ends in `raise` (no else) inside a function of an app's services.py or
services/ package: the rules that refuse a state change. For each one the script writes a scratch copy of
the tree with that `if` replaced by `pass`, runs the app's tests that name the guarded function (all of the
app's tests when none does) against the copy, and reports the guards whose removal no test noticed.

    .venv/bin/python scripts/guard_mutants.py stations projects     # apps to check (default: all)
    .venv/bin/python scripts/guard_mutants.py stations --list       # the guards only, no test runs
    .venv/bin/python scripts/guard_mutants.py stations --only open_station
    .venv/bin/python scripts/guard_mutants.py projects --only create_lead,advance_lead --only set_weights
    .venv/bin/python scripts/guard_mutants.py projects --only create_lead --tests tests/projects/test_guards.py

A guard is "killed" only when a test fails (pytest's status 1) with it removed while the same tests pass with
it in place (each selection is first run once as it is; --no-baseline skips that); the test that failed is
named. Exit status 1 when a guard survives. Slow by nature (one test run per guard): run it by hand, not in CI.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS_DIR = ROOT / "src" / "wanghua"
# What the scratch copy needs: the package, the tests and their configuration (node_modules is linked).
COPIED = ("src", "tests", "conftest.py", "pyproject.toml")


@dataclass(frozen=True)
class Guard:
    path: Path  # relative to ROOT
    function: str
    first: int  # 1-based line span of the `if` statement
    last: int
    condition: str

    def __str__(self) -> str:
        return f"{self.path}:{self.first} {self.function}(): if {self.condition}"


def service_modules(app: str) -> list[Path]:
    package = APPS_DIR / app / "services"
    if package.is_dir():
        return sorted(package.glob("*.py"))
    module = APPS_DIR / app / "services.py"
    return [module] if module.exists() else []


def _ends_in_raise(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], ast.Raise)


def guards_in(path: Path) -> list[Guard]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    found: list[Guard] = []

    def visit(node: ast.AST, function: str) -> None:  # a nested function's guards belong to the outer one
        for child in ast.iter_child_nodes(node):
            is_function = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            name = child.name if is_function and not function else function
            if (isinstance(child, ast.If) and function and not child.orelse and _ends_in_raise(child.body)
                    and child.end_lineno is not None):
                found.append(Guard(path.relative_to(ROOT), function, child.lineno, child.end_lineno,
                                   ast.unparse(child.test)[:80]))
            visit(child, name)

    visit(tree, "")
    return found


def without(source: str, guard: Guard) -> str:
    """The module with the guard's `if` statement replaced by `pass` (same indent, same line count)."""
    lines = source.splitlines(keepends=True)
    head = lines[guard.first - 1]
    indent = head[: len(head) - len(head.lstrip())]
    blanked = [f"{indent}pass  # guard removed by guard_mutants\n"] + ["\n"] * (guard.last - guard.first)
    return "".join(lines[: guard.first - 1] + blanked + lines[guard.last:])


def callers(path: Path, helper: str) -> set[str]:
    """The module's top-level functions that call `helper`, directly or through other helpers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {f.name: {n.func.id for n in ast.walk(f) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
             for f in tree.body if isinstance(f, ast.FunctionDef)}
    found, frontier = set(), {helper}
    while frontier:
        frontier = {name for name, called in calls.items() if called & frontier} - found
        found |= frontier
    return found


def tests_for(app: str, guard: Guard, base: Path) -> list[str]:
    """The app's test files under `base` (the scratch copy) that name the guarded function, or a public function
    that calls it (all of the app's tests when none does)."""
    names = {guard.function} | callers(ROOT / guard.path, guard.function)
    public = {name for name in names if not name.startswith("_")}
    folder = base / "tests" / app
    named = [str(p.relative_to(base)) for p in sorted(folder.glob("test_*.py"))
             if any(name in p.read_text(encoding="utf-8") for name in public)]
    return named or [str(folder.relative_to(base))]


def make_scratch() -> Path:
    """A copy of the tree as it is now (files added later are not seen), with its translations compiled: the
    compiled catalogue is not in git, and tests that read a Chinese message would fail for want of it."""
    scratch = Path(tempfile.mkdtemp(prefix="guard-mutants-"))
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, scratch / name)
    if (ROOT / "node_modules").exists():
        (scratch / "node_modules").symlink_to(ROOT / "node_modules")
    (scratch / "var").mkdir()
    try:
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-D", "django",
                        "-d", str(scratch / "src" / "wanghua" / "locale")], check=True, capture_output=True)
    except subprocess.CalledProcessError:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return scratch


@dataclass(frozen=True)
class Run:
    code: int | None  # pytest's exit status (1: a test failed), None on a timeout
    failed: str  # the first failing test, or the tail of the output when pytest itself stopped


def run_tests(scratch: Path, tests: list[str], timeout: int) -> Run:
    env = {**os.environ, "PYTHONPATH": str(scratch / "src"), "WANGHUA_VAR_DIR": str(scratch / "var")}
    env.pop("WANGHUA_DATABASE_URL", None)  # SQLite in the scratch var/: never a shared database
    try:
        # --reuse-db: a removed guard changes no model, so the scratch test database is built once.
        run = subprocess.run([sys.executable, "-m", "pytest", "-n0", "-x", "-q", "-p", "no:cacheprovider",
                              "--reuse-db", "-m", "not browser", *tests], cwd=scratch, env=env, capture_output=True,
                             text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Run(None, "")
    lines = run.stdout.splitlines()
    failed = next((line.split(" - ")[0].removeprefix("FAILED ") for line in lines if line.startswith("FAILED ")),
                  " | ".join(lines[-3:]))
    return Run(run.returncode, failed)


def mutated(scratch: Path, guard: Guard, tests: list[str], timeout: int) -> Run:
    """The tests' run with the guard removed from the scratch copy (put back afterwards)."""
    target = scratch / guard.path
    original = target.read_text(encoding="utf-8")
    target.write_text(without(original, guard), encoding="utf-8")
    try:
        return run_tests(scratch, tests, timeout)
    finally:
        target.write_text(original, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("apps", nargs="*", help="apps to check (default: every app with services)")
    parser.add_argument("--list", action="store_true", help="list the guards, run nothing")
    parser.add_argument("--only", action="append", default=[],
                        help="only the guards of this function (repeatable, or comma-separated)")
    parser.add_argument("--tests", action="append", default=[],
                        help="run these test files instead of the ones found (repeatable): a quick proof that "
                             "a given test kills the guards")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the run of each test selection without a mutation (faster, but a selection that "
                             "fails anyway then kills every guard)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per test run")
    args = parser.parse_args()
    apps = args.apps or sorted(p.name for p in APPS_DIR.iterdir() if service_modules(p.name))
    only = {name for value in args.only for name in value.split(",") if name}
    guards = [(app, g) for app in apps for path in service_modules(app) for g in guards_in(path)
              if not only or g.function in only]
    if args.list:
        for _app, guard in guards:
            print(guard)
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a `kill` still removes the scratch copy
    scratch = make_scratch()
    survivors: list[Guard] = []
    baselines: dict[tuple[str, ...], Run] = {}
    try:
        for number, (app, guard) in enumerate(guards, 1):
            tests = args.tests or tests_for(app, guard, scratch)
            if not args.no_baseline and tuple(tests) not in baselines:  # a kill counts only where the tests pass
                baselines[tuple(tests)] = run_tests(scratch, tests, args.timeout)
            baseline = baselines.get(tuple(tests))
            if baseline is not None and baseline.code != 0:
                word, run = "BASELINE", baseline  # the tests fail (or stop) without any mutation: no verdict
            else:
                run = mutated(scratch, guard, tests, args.timeout)
                word = {None: "timeout", 0: "SURVIVED", 1: "killed"}.get(run.code, "ERROR")
            detail = f" by {run.failed}" if run.failed and word != "SURVIVED" else ""
            print(f"[{number}/{len(guards)}] {word:8} {guard}  ({' '.join(tests)}){detail}", flush=True)
            if word == "SURVIVED":
                survivors.append(guard)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\n{len(guards)} guards, {len(survivors)} survived")
    for guard in survivors:
        print(f"  survivor: {guard}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())

"""bpmnlint, the linter of the bpmn.io modelers, over a draft's BPMN files, with the recommended rules
that `make test` runs over processes/ (.bpmnlintrc).

It runs in V8 inside this process (mini-racer), from the bundle that scripts/build_assets.sh makes
of web/modeler/server-lint.js and the package carries (web/vendor_files.py), so the server needs
neither Node nor node_modules. A draft's XML is untrusted input: each check gets a fresh V8 context
with a memory limit and a time limit and nothing but the bundle in it (no file system, no network),
and is thrown away afterwards. Where the bundle is missing the check says so instead of passing
silently."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from py_mini_racer import JSEvalException, JSFunction, JSPromise, JSPromiseError, MiniRacer

from engine.errors import Problem

from . import vendor_files

BUNDLE = vendor_files.ASSETS / vendor_files.LINT_BUNDLE
TIMEOUT_SECONDS = 30
MAX_MEMORY = 512 * 1024 * 1024  # bytes of V8 heap; the largest process file needs a few MB


def lint(files: list[Path]) -> list[Problem]:
    """bpmnlint's errors and warnings per file and element; empty when every file passes."""
    if not BUNDLE.is_file():
        return [Problem(files[0].name if files else "processes", None,
                        f"bpmnlint could not run (the package lacks {BUNDLE.name}; run make install)")]
    bundle = BUNDLE.read_text(encoding="utf-8")
    found: list[Problem] = []
    for path in files:
        try:
            findings = _in_own_thread(_lint_one, bundle, path.read_text(encoding="utf-8"))
        except (JSEvalException, JSPromiseError, UnicodeDecodeError) as exc:
            found.append(Problem(path.name, None, f"bpmnlint failed: {type(exc).__name__}: {str(exc)[:300]}"))
            continue
        found += [Problem(path.name, f["id"], f"bpmnlint {f['rule'] or 'parse'}: {f['message']}") for f in findings]
    return found


def _in_own_thread(call, *args):
    """`call(*args)` in a thread of its own. mini-racer drives V8 from the asyncio loop running in
    the calling thread when there is one (Playwright's sync API keeps one running in a test
    process) and then refuses a time limit; a fresh thread has none, so it starts its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *args).result()


def _lint_one(bundle: str, xml: str) -> list[dict]:
    with MiniRacer() as context:
        context.set_hard_memory_limit(MAX_MEMORY)
        context.eval(bundle, timeout_sec=TIMEOUT_SECONDS)
        check = context.eval("zvtBpmnLint")
        if not isinstance(check, JSFunction):
            raise TypeError("the bundle defines no function zvtBpmnLint")
        answer = check(xml, timeout_sec=TIMEOUT_SECONDS)
        if not isinstance(answer, JSPromise):
            raise TypeError("zvtBpmnLint answers no promise")
        found = answer.get(timeout=TIMEOUT_SECONDS)
        if not isinstance(found, str):
            raise TypeError("zvtBpmnLint's promise holds no JSON text")
        return json.loads(found)

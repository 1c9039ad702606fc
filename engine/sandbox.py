"""Restricted execution of the Python embedded in BPMN and DMN files.

Process models are uploaded by people who are not administrators of the
server, so every script task, gateway condition, timer expression and DMN cell
is treated as untrusted input. Two layers keep it contained:

* at compile time RestrictedPython, with the extra policy below, refuses
  imports, underscore names and attributes, and a deny list of builtins and
  introspection attributes;
* at run time every attribute access goes through a guard that only allows
  plain value types and explicitly registered helper namespaces, so anything
  the compile-time lists miss is still refused.

Both run under limits: a CPU budget per step (engine/budget.py) and a size limit on what one
operation may build (engine/size_guards.py), to which the policy below routes the operators
and builtins that could build a lot in one call into C.
"""

import ast
import datetime as _dt
import decimal
import functools
import re

from RestrictedPython import (
    PrintCollector,
    compile_restricted_eval,
    compile_restricted_exec,
    safe_builtins,
)
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import budget, size_guards

DENIED_NAMES = frozenset({
    'open', 'exec', 'eval', 'compile', 'getattr', 'setattr', 'delattr', 'hasattr',
    'globals', 'locals', 'vars', 'dir', '__import__', 'breakpoint', 'input', 'help',
    'type', 'object', 'memoryview', 'super', 'exit', 'quit', 'classmethod',
    'staticmethod', 'property', 'builtins', 'reload',
    # The CPU budget's BudgetExceeded is a BaseException, which a script must not catch.
    'BaseException',
})

# Escape routes that do not start with an underscore and therefore slip past
# RestrictedPython's own naming rule.
DENIED_ATTRIBUTES = frozenset({
    'gi_frame', 'gi_code', 'gi_yieldfrom', 'cr_frame', 'cr_code', 'cr_await',
    'ag_frame', 'ag_code', 'f_globals', 'f_locals', 'f_builtins', 'f_back', 'f_code',
    'tb_frame', 'tb_next', 'func_globals', 'func_code', 'format', 'format_map', 'mro',
}) | INSPECT_ATTRIBUTES

VALUE_TYPES = (
    str, int, float, bool, list, dict, tuple, set, frozenset,
    _dt.date, _dt.datetime, _dt.time, _dt.timedelta, _dt.timezone, decimal.Decimal,
)

# Offered to every script; their class attributes (datetime.fromisoformat,
# timezone.utc, ...) are reachable through the getattr guard.
DEFAULT_NAMESPACES = {
    'datetime': _dt.datetime,
    'date': _dt.date,
    'timedelta': _dt.timedelta,
    'timezone': _dt.timezone,
    'Decimal': decimal.Decimal,
}

# A condition or DMN cell that appends to a list in the task data would change
# the case as a side effect of merely looking at it.
_MUTATING_METHODS = frozenset({
    'append', 'extend', 'insert', 'pop', 'popitem', 'remove', 'clear', 'update',
    'setdefault', 'sort', 'reverse', 'add', 'discard', 'difference_update',
    'intersection_update', 'symmetric_difference_update',
})
_MUTABLE_TYPES = (list, dict, set)

_EXTRA_BUILTINS = {
    f.__name__: f for f in (
        len, min, max, sum, sorted, abs, round, any, all, enumerate, zip, range,
        list, dict, set, frozenset, tuple, str, int, float, bool, isinstance,
        reversed, map, filter,
    )
}
# __build_class__ would need a __metaclass__ we never provide; the attribute
# helpers in safe_builtins bypass our own guard.
_BUILTINS = {
    name: value for name, value in safe_builtins.items()
    if name not in DENIED_NAMES and name not in ('__build_class__', '_getattr_')
}
_BUILTINS.update(_EXTRA_BUILTINS)
_BUILTINS.update(range=size_guards.guarded_range, pow=size_guards.power, sum=size_guards.guarded_sum)

_INPLACE_OPERATORS = {**size_guards.INPLACE, **size_guards.INPLACE_PLAIN}
# The binary operators that can build a lot in one call, and the guard each is rewritten to:
# `a * b` becomes `_mul_(a, b)`. Scripts cannot write underscore names, so cannot shadow them.
_BINARY_GUARDS = {getattr(ast, op): f"_{guard.__name__}_" for op, guard in size_guards.BINARY.items()}
_GUARD_FUNCTIONS = {f"_{guard.__name__}_": guard for guard in size_guards.BINARY.values()}
# The widest an f-string field may be padded: f"{x:>1000000000}" builds a gigabyte in C.
_MAX_FORMAT_WIDTH = 10_000


class ScriptRefused(Exception):
    """str(e) says what was refused, with its line, e.g. "Line 1: import is not allowed"."""


class _Policy(RestrictingNodeTransformer):

    def check_name(self, node, name, allow_magic_methods=False):
        if name in DENIED_NAMES:
            self.error(node, f"name {name!r} is not allowed")
        else:
            super().check_name(node, name, allow_magic_methods)

    def visit_Attribute(self, node):
        if node.attr in DENIED_ATTRIBUTES:
            self.error(node, f"attribute {node.attr!r} is not allowed")
            return self.node_contents_visit(node)
        return super().visit_Attribute(node)

    def visit_Import(self, node):
        self.error(node, "import is not allowed")
        return node

    visit_ImportFrom = visit_Import

    def visit_BinOp(self, node):
        node = self.node_contents_visit(node)
        guard = _BINARY_GUARDS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(func=ast.copy_location(ast.Name(guard, ast.Load()), node), args=[node.left, node.right],
                        keywords=[])
        return ast.copy_location(call, node)

    def visit_ExceptHandler(self, node):
        # A bare except would catch the CPU budget's BudgetExceeded (engine/budget.py).
        if node.type is None:
            self.error(node, "a bare 'except:' is not allowed; name the errors to catch")
        return super().visit_ExceptHandler(node)

    def visit_FormattedValue(self, node):
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            constants = [p for p in parts if isinstance(p, ast.Constant)]
            if len(constants) != len(parts):
                self.error(node, "a format specification must be written out, not computed")
            elif any(int(n) > _MAX_FORMAT_WIDTH for p in constants for n in re.findall(r"\d+", str(p.value))):
                self.error(node, f"a format width may be at most {_MAX_FORMAT_WIDTH}")
        return super().visit_FormattedValue(node)

    def visit_ClassDef(self, node):
        # RestrictedPython would rewrite it to use a __metaclass__ global,
        # which is one more object to get right; scripts don't need classes.
        self.error(node, "class definitions are not allowed")
        return node


@functools.lru_cache(maxsize=4096)
def _compile(source, mode):
    compiler = compile_restricted_eval if mode == 'eval' else compile_restricted_exec
    # '<string>' is the file name PythonScriptEngine looks for to report the
    # failing line of a script.
    result = compiler(source, filename=budget.SCRIPT_FILENAME, policy=_Policy)
    if result.errors:
        raise ScriptRefused('; '.join(result.errors))
    return result.code


def _as_text(source):
    if not isinstance(source, str):
        raise ScriptRefused(f"expected source text, got {type(source).__name__}")
    return source


def _compile_expression(source):
    # eval() tolerates the indentation XML pretty-printing leaves around
    # conditions; compile() does not.
    return _compile(_as_text(source).strip(), 'eval')


def _compile_script(source):
    return _compile(_as_text(source), 'exec')


def check_expression(source: str) -> None:
    _compile_expression(source)


def check_script(source: str) -> None:
    _compile_script(source)


def _make_getattr(namespaces, read_only):
    registered = {id(ns): ns for ns in namespaces}

    def guarded_getattr(obj, name):
        if not isinstance(name, str) or name.startswith('_') or name in DENIED_ATTRIBUTES:
            raise ScriptRefused(f"attribute {name!r} is not allowed")
        if registered.get(id(obj)) is obj:
            return getattr(obj, name)
        if isinstance(obj, str) and name in size_guards.STR_METHODS:
            return functools.partial(size_guards.STR_METHODS[name], obj)
        kind = type(obj)
        owner = next((t for t in kind.__mro__ if t in VALUE_TYPES), None)
        # A subclass of an allowed type only gets the allowed type's own
        # attributes, not whatever the subclass added.
        if owner is None or (owner is not kind and not hasattr(owner, name)):
            raise ScriptRefused(f"attribute {name!r} is not allowed on {kind.__name__} objects")
        if read_only and isinstance(obj, _MUTABLE_TYPES) and name in _MUTATING_METHODS:
            raise ScriptRefused(f"attribute {name!r} is not allowed in an expression")
        return getattr(obj, name)

    return guarded_getattr


def _inplacevar(op, target, value):
    return _INPLACE_OPERATORS[op](target, value)


def _apply(func, *args, **kwargs):
    return func(*args, **kwargs)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):

    def __init__(self, helpers: dict | None = None):
        helpers = dict(helpers or {})
        for name in helpers:
            if not name.isidentifier() or name.startswith('_') or name in DENIED_NAMES:
                raise ValueError(f"helper name {name!r} cannot be offered to scripts")
        offered = {**DEFAULT_NAMESPACES, **helpers}
        namespaces = list(offered.values())
        guards = {
            '__builtins__': dict(_BUILTINS),
            '_getitem_': default_guarded_getitem,
            '_getiter_': iter,
            '_write_': full_write_guard,
            '_inplacevar_': _inplacevar,
            '_iter_unpack_sequence_': guarded_iter_unpack_sequence,
            '_unpack_sequence_': guarded_unpack_sequence,
            '_apply_': _apply,
            '_print_': PrintCollector,
            **_GUARD_FUNCTIONS,
        }
        self._script_guards = {**guards, '_getattr_': _make_getattr(namespaces, read_only=False)}
        self._expression_guards = {**guards, '_getattr_': _make_getattr(namespaces, read_only=True)}
        # Guards live in self.globals too, so check_for_overwrite refuses task
        # data that would shadow them and the cleanup removes them again.
        super().__init__({**offered, **self._script_guards})

    def evaluate(self, expression, context, external_context=None):
        code = _compile_expression(expression)
        scope = dict(self.globals)
        # Underscore names cannot be written in a script, so dropping them
        # loses nothing and stops data from standing in for a guard.
        scope.update((k, v) for k, v in (external_context or {}).items() if not k.startswith('_'))
        scope.update((k, v) for k, v in context.items() if not k.startswith('_'))
        scope.update(self._expression_guards)
        return budget.run(eval, code, scope)

    def execute(self, script, context, external_context=None):
        code = _compile_script(script)
        external_context = external_context or {}
        self.check_for_overwrite(context, external_context)
        context.update(self.globals)
        context.update(external_context)
        context.update(self._script_guards)
        try:
            budget.run(exec, code, context)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True

    def _remove_globals_and_functions_from_context(self, context, external_context=None):
        for k in list(context):
            if k == '__builtins__' or \
                    hasattr(context[k], '__call__') or \
                    k in self.globals or \
                    external_context and k in external_context:
                context.pop(k)

    def check_for_overwrite(self, context, external_context):
        func_overwrites = set(self.globals).intersection(context)
        func_overwrites.update(set(external_context).intersection(context))
        if func_overwrites:
            raise ValueError(
                "You have task data that overwrites a predefined function(s). "
                "Please change the following variable or field name(s) to "
                f"something else: {func_overwrites}")


def make_script_engine(helpers: dict | None = None) -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment(helpers))


def is_restricted(script_engine) -> bool:
    return isinstance(getattr(script_engine, 'environment', None), RestrictedEnvironment)

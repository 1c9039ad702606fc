import shlex
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape as xml_escape

import pytest
from RestrictedPython import compile_restricted_exec
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.sandbox import (
    RestrictedEnvironment,
    ScriptRefused,
    check_expression,
    check_script,
    is_restricted,
    make_script_engine,
)


class Trap:
    """Stands in for any object a script should not be able to poke at:
    reading its innocently named attribute leaves the marker file behind."""

    def __init__(self, marker):
        self._marker = marker

    @property
    def secret(self):
        self._marker.touch()
        return 'secret'


@dataclass
class Escape:
    id: str
    template: str
    reason: str

    def source(self, marker):
        path = str(marker)
        open_call = f"open({path!r}, 'w').close()"
        return self.template.format(
            path=repr(path),
            touch=repr('touch ' + shlex.quote(path)),
            open_src=repr(open_call),
            open_expr=repr(open_call),
        )


# Every template below really escapes when run as plain Python (see
# test_each_escape_leaves_the_marker_when_run_without_the_sandbox), so the
# sandbox tests prove something.
WALK_TO_SYSTEM = (
    "[c for c in {base}.__subclasses__() if c.__name__ == '_wrap_close'][0]"
    ".__init__.__globals__['system']({{touch}})"
)

ESCAPES = [
    Escape('import', "import os\nos.system({touch})", "import is not allowed"),
    Escape('from_import', "from os import system\nsystem({touch})", "import is not allowed"),
    Escape('dunder_import', "__import__('os').system({touch})", "name '__import__' is not allowed"),
    Escape('open', "open({path}, 'w').close()", "name 'open' is not allowed"),
    Escape('exec', "exec({open_src})", "name 'exec' is not allowed"),
    Escape('eval', "eval({open_expr})", "name 'eval' is not allowed"),
    Escape('compile', "exec(compile({open_src}, 'f', 'exec'))", "name 'compile' is not allowed"),
    Escape(
        'getattr',
        "sub = getattr(getattr(getattr(1, '__class__'), '__base__'), '__subclasses__')()\n"
        "wrap = [c for c in sub if getattr(c, '__name__') == '_wrap_close'][0]\n"
        "getattr(getattr(wrap, '__init__'), '__globals__')['system']({touch})",
        "name 'getattr' is not allowed",
    ),
    Escape('subclasses', WALK_TO_SYSTEM.format(base="().__class__.__bases__[0]"), '"__class__"'),
    Escape(
        'generator_frame',
        "(x for x in []).gi_frame.f_globals['__builtins__']['open']({path}, 'w').close()",
        "attribute 'gi_frame' is not allowed",
    ),
    Escape('format', "leak = '{{0.secret}}'.format(trap)", "attribute 'format' is not allowed"),
    Escape('format_map', "leak = '{{t.secret}}'.format_map({{'t': trap}})",
           "attribute 'format_map' is not allowed"),
    Escape('globals', "globals()['__builtins__']['open']({path}, 'w').close()",
           "name 'globals' is not allowed"),
    Escape('vars', "vars()['__builtins__']['open']({path}, 'w').close()", "name 'vars' is not allowed"),
    Escape('locals', "locals()['__builtins__']['open']({path}, 'w').close()",
           "name 'locals' is not allowed"),
    Escape('type', WALK_TO_SYSTEM.format(base="type(1).__base__"), "name 'type' is not allowed"),
    Escape('object', WALK_TO_SYSTEM.format(base="object"), "name 'object' is not allowed"),
    Escape('mro', WALK_TO_SYSTEM.format(base="str.mro()[-1]"), "attribute 'mro' is not allowed"),
    Escape('dunder_mro', WALK_TO_SYSTEM.format(base="[].__class__.__mro__[-1]"), '"__mro__"'),
    Escape(
        'function_globals',
        "(lambda: 0).__globals__['__builtins__']['open']({path}, 'w').close()",
        '"__globals__"',
    ),
    Escape('function_code', "f = lambda: None\nf.__code__ = compile({open_expr}, 'f', 'eval')\nf()",
           '"__code__"'),
    Escape('setattr', "f = lambda: None\nsetattr(f, '__code__', compile({open_expr}, 'f', 'eval'))\nf()",
           "name 'setattr' is not allowed"),
    Escape('builtins_name', "__builtins__['open']({path}, 'w').close()", '"__builtins__"'),
    Escape('breakpoint', "breakpoint()", "name 'breakpoint' is not allowed"),
]

# Escapes that stock RestrictedPython compiles; only the run-time guards and
# the trimmed builtins stand in their way.
PAST_STOCK_COMPILER = ['import', 'from_import', 'open', 'getattr', 'format', 'format_map',
                       'globals', 'vars', 'locals', 'setattr']


@pytest.fixture
def marker(tmp_path, monkeypatch):
    path = tmp_path / 'escaped'
    # breakpoint() has no side effect of its own worth testing for, so give it one.
    monkeypatch.setattr(sys, 'breakpointhook', lambda *a, **kw: path.touch())
    return path


def by_id(escapes):
    return pytest.mark.parametrize('escape', escapes, ids=[e.id for e in escapes])


@by_id(ESCAPES)
def test_each_escape_leaves_the_marker_when_run_without_the_sandbox(escape, marker):
    exec(escape.source(marker), {'trap': Trap(marker)})
    assert marker.exists()


@by_id(ESCAPES)
def test_escape_is_refused_before_it_runs(escape, marker):
    with pytest.raises(ScriptRefused) as refused:
        check_script(escape.source(marker))
    assert escape.reason in str(refused.value)


@by_id(ESCAPES)
def test_escape_through_execute_raises_and_leaves_no_trace(escape, marker):
    trap = Trap(marker)
    context = {'trap': trap}
    with pytest.raises(ScriptRefused):
        RestrictedEnvironment().execute(escape.source(marker), context)
    assert not marker.exists()
    assert context == {'trap': trap}


@by_id([e for e in ESCAPES if e.id in PAST_STOCK_COMPILER])
def test_escape_is_stopped_at_run_time_even_without_the_extra_compile_checks(escape, marker):
    compiled = compile_restricted_exec(escape.source(marker))
    assert not compiled.errors
    scope = {**RestrictedEnvironment().globals, 'trap': Trap(marker)}
    with pytest.raises(Exception):  # noqa: B017 - whichever error the escape runs into stops it
        exec(compiled.code, scope)
    assert not marker.exists()


@pytest.mark.parametrize('expression', [
    "__import__('os').system('true')",
    "open('x', 'w')",
    "getattr(trap, 'secret')",
    "'{0.secret}'.format(trap)",
    "(x for x in []).gi_frame",
    "().__class__",
    "x ==",
])
def test_bad_expression_is_refused_before_it_runs(expression, marker):
    with pytest.raises(ScriptRefused):
        check_expression(expression)
    with pytest.raises(ScriptRefused):
        RestrictedEnvironment().evaluate(expression, {'trap': Trap(marker)})
    assert not marker.exists()


def test_refusal_names_what_was_refused():
    with pytest.raises(ScriptRefused, match="import is not allowed"):
        check_script("import os")
    with pytest.raises(ScriptRefused, match="name 'open' is not allowed"):
        check_expression("open('/etc/passwd')")
    with pytest.raises(ScriptRefused, match="attribute 'gi_frame' is not allowed"):
        check_expression("(x for x in []).gi_frame")


@pytest.mark.parametrize('source, attribute', [
    ("running = (x for x in []).gi_running", 'gi_running'),
    ("first = range(3).start", 'start'),
    ("name = callback.name", 'name'),
    ("value = trap.secret", 'secret'),
])
def test_attribute_on_an_object_that_is_not_allowlisted_is_refused_at_run_time(source, attribute, marker):
    check_script(source)
    context = {'trap': Trap(marker), 'callback': lambda: None}
    with pytest.raises(ScriptRefused, match=f"attribute '{attribute}' is not allowed"):
        RestrictedEnvironment().execute(source, context)
    assert not marker.exists()


def test_attribute_guard_ignores_task_data_posing_as_the_guard(marker):
    env = RestrictedEnvironment()
    context = {'trap': Trap(marker), '_getattr_': getattr}
    with pytest.raises(ScriptRefused):
        env.evaluate("trap.secret", context)
    with pytest.raises(ValueError):
        env.execute("value = trap.secret", context)
    assert not marker.exists()


def test_arithmetic_and_assignment_end_up_in_task_data():
    context = {'x': 21, 'count': 1}
    RestrictedEnvironment().execute("y = x * 2\ncount += 1\nratio = y / 4", context)
    assert context == {'x': 21, 'count': 2, 'y': 42, 'ratio': 10.5}


def test_dict_get_and_list_comprehension_work():
    context = {'persoon': {'naam': 'Jan'}, 'scores': [1, 2, 3]}
    RestrictedEnvironment().execute(
        "naam = persoon.get('naam', '?')\n"
        "leeftijd = persoon.get('leeftijd', 0)\n"
        "dubbel = [s * 2 for s in scores if s > 1]\n"
        "persoon['gezien'] = True",
        context,
    )
    assert context['naam'] == 'Jan'
    assert context['leeftijd'] == 0
    assert context['dubbel'] == [4, 6]
    assert context['persoon'] == {'naam': 'Jan', 'gezien': True}


def test_string_methods_work():
    context = {'invoer': '  hallo  '}
    RestrictedEnvironment().execute("uit = invoer.strip().upper()", context)
    assert context['uit'] == 'HALLO'


def test_deadline_arithmetic_with_datetime_and_timedelta():
    result = RestrictedEnvironment().evaluate(
        "datetime.fromisoformat('2026-11-27T17:00:00+01:00') + timedelta(hours=24)", {})
    assert result == datetime(2026, 11, 28, 17, 0, tzinfo=timezone(timedelta(hours=1)))


def test_datetime_survives_in_task_data_but_the_classes_do_not():
    context = {}
    RestrictedEnvironment().execute(
        "termijn = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=1)\njaar = termijn.year",
        context)
    assert context == {'termijn': datetime(2026, 1, 2, tzinfo=timezone.utc), 'jaar': 2026}


def test_gateway_condition_evaluates():
    env = RestrictedEnvironment()
    assert env.evaluate("keuze == 'doorgaan'", {'keuze': 'doorgaan'}) is True
    assert env.evaluate("keuze == 'doorgaan'", {'keuze': 'stoppen'}) is False


def test_condition_surrounded_by_xml_whitespace_still_evaluates():
    assert RestrictedEnvironment().evaluate("\n    keuze == 'doorgaan'\n  ", {'keuze': 'doorgaan'})


def test_dmn_style_expressions_evaluate():
    env = RestrictedEnvironment()
    assert env.evaluate('(niveau) == (3)', {'niveau': 3}) is True
    assert env.evaluate('(niveau) == ("3")', {'niveau': 3}) is False
    assert env.evaluate('dmninputexpr < 5', {}, external_context={'dmninputexpr': 4}) is True
    assert env.evaluate('dmninputexpr < 5', {}, external_context={'dmninputexpr': 7}) is False


def test_helpers_are_callable_and_removed_from_task_data_afterwards():
    def add_werkdagen(start, dagen):
        return start + timedelta(days=dagen)

    env = RestrictedEnvironment(helpers={'add_werkdagen': add_werkdagen, 'MAX_DAGEN': 10})
    context = {'start': datetime(2026, 3, 2)}
    env.execute("eind = add_werkdagen(start, 3)\nlimiet = MAX_DAGEN", context)
    assert context == {'start': datetime(2026, 3, 2), 'eind': datetime(2026, 3, 5), 'limiet': 10}


def test_task_data_named_like_a_helper_raises_value_error():
    env = RestrictedEnvironment(helpers={'add_werkdagen': lambda d, n: d})
    with pytest.raises(ValueError, match='add_werkdagen'):
        env.execute("x = 1", {'add_werkdagen': 'oops'})


def test_functions_defined_by_a_script_do_not_stay_in_task_data():
    context = {'n': 3}
    RestrictedEnvironment().execute("def kwadraat(v):\n    return v * v\nuit = kwadraat(n)", context)
    assert context == {'n': 3, 'uit': 9}


def test_print_is_harmless_and_leaves_nothing_behind():
    context = {}
    RestrictedEnvironment().execute("print('hallo')\nklaar = True", context)
    assert context == {'klaar': True}


def test_evaluate_does_not_modify_the_context():
    context = {'x': 1, 'lijst': [1, 2], 'persoon': {'naam': 'Jan'}}
    env = RestrictedEnvironment()
    assert env.evaluate("x + 1", context) == 2
    assert env.evaluate("dmninputexpr", context, external_context={'dmninputexpr': 5}) == 5
    with pytest.raises(ScriptRefused):
        env.evaluate("lijst.append(3)", context)
    with pytest.raises(ScriptRefused):
        env.evaluate("persoon.update(naam='Piet')", context)
    assert context == {'x': 1, 'lijst': [1, 2], 'persoon': {'naam': 'Jan'}}


def test_make_script_engine_is_restricted():
    assert is_restricted(make_script_engine())
    assert not is_restricted(object())


TINY_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="defs" targetNamespace="http://example.org/bpmn">
  <bpmn:process id="pid" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script" />
    <bpmn:scriptTask id="script">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def tiny_workflow(script):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(TINY_BPMN.format(script=xml_escape(script)).encode(), 'tiny.bpmn')
    wf = BpmnWorkflow(parser.get_spec('pid'), script_engine=make_script_engine())
    wf.get_tasks(state=TaskState.READY)[0].data['x'] = 21
    return wf


def test_a_spiffworkflow_run_executes_script_tasks_in_the_sandbox():
    wf = tiny_workflow("y = x * 2")
    wf.do_engine_steps()
    assert wf.is_completed()
    assert wf.data['y'] == 42


def test_a_spiffworkflow_run_refuses_an_import_in_a_script_task():
    wf = tiny_workflow("import os")
    with pytest.raises((WorkflowTaskException, ScriptRefused)) as raised:
        wf.do_engine_steps()
    assert 'import is not allowed' in str(raised.value)
    assert not wf.is_completed()

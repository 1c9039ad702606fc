"""The API's OpenAPI 3.1 document, written by hand as data: the source the API is built from.

Written, not generated from the code, because the code is built from it: web/api/__init__.py
registers a route for every operation here and for nothing else (a view without an operation, or
an operation without a view, stops the app at start), and checks every request body against the
operation's schema here before the view sees it (jsonschema, as the engine checks forms). What the
responses hold is checked against it by the schemathesis suite (tests/web/test_api_schemathesis.py)
and the endpoint tests, which validate every body they get. So the document cannot list an address,
a method or a body shape the API does not have, nor the reverse.
"""
from __future__ import annotations

PREFIX = "/api/v1"
PROBLEM_TYPE = "application/problem+json"
# The problem type of a body the form refused: a reference into this document, where its members are.
INVALID_DATA_TYPE = f"{PREFIX}/openapi.json#/components/schemas/InvalidDataProblem"

MAX_CASE_NUMBER = 2**31 - 1  # web/input.py: a PostgreSQL integer


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def _object(properties: dict, required: list[str] | None = None, **more) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties) if required is None else required,
            "additionalProperties": False, **more}


def _json(schema: dict, description: str, **more) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}, **more}


def _response(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


DATE_TIME = {"type": "string", "format": "date-time"}
TEXT_OR_NULL = {"type": ["string", "null"]}
TASK_ID = {"type": "string", "format": "uuid",
           "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}
# A BPMN process id as deploy stores it (web/input.py's ProcessIdConverter), at most 64 long (the
# access log's object id, where a refused start names the process).
PROCESS_ID = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"}

# Statuses every operation with a token can answer.
_ALWAYS = {"400": _response("BadRequest"), "401": _response("Unauthorized"), "429": _response("TooManyRequests"),
           "500": _response("ServerError"), "503": _response("Unavailable")}
_WITH_BODY = {"413": _response("TooLarge"), "415": _response("UnsupportedMediaType")}

# What a task is in the list and on its own.
_TASK = {
    "id": TASK_ID,
    "name": TEXT_OR_NULL,
    "case": {"type": "integer", "minimum": 1},
    "process_id": {"type": "string"},
    "process_name": TEXT_OR_NULL,
    "lane": TEXT_OR_NULL,
    "assignee": TEXT_OR_NULL,
    "due_at": _nullable(DATE_TIME),
    "paused_at": _nullable(DATE_TIME),
}

SCHEMAS = {
    "Problem": _object({
        "type": {"type": "string", "format": "uri-reference",
                 "description": "`about:blank` (the status says it all) or a reference to the problem's schema here"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "what went wrong, in English"},
        "errors": {"type": "array", "items": _ref("FieldError"),
                   "description": "400 and 422: every field that is wrong"},
        "completed_by_you": {"type": "boolean",
                             "description": "409 on completing a task: whether this client completed it already "
                                            "(a repeated request: the first one counted)"},
    }, required=["type", "title", "status", "detail"],
        description="A problem document (RFC 9457)."),
    "InvalidDataProblem": {
        "allOf": [_ref("Problem")], "required": ["errors"],
        "description": "The data did not pass the form's JSON Schema and rules (422), or the body did not pass "
                       "the request's schema here (400); nothing was saved. Every failing field is listed.",
    },
    "FieldError": _object({
        "field": {"type": "string", "description": "the field's path in `data`, parts joined by `/`; "
                                                    "empty for the whole form"},
        "pointer": {"type": "string", "description": "JSON Pointer (RFC 6901) into the request body"},
        "message": {"type": "string", "description": "what is wrong, in English"},
        "code": {"type": ["string", "null"], "description": "the JSON Schema keyword that failed (`required`, "
                                                             "`enum`, ...) or the engine's own check "
                                                             "(`readOnly`, `reserved`, `controlCharacter`, ...)"},
    }),
    "Process": _object({
        "process_id": {"type": "string"},
        "name": TEXT_OR_NULL,
        "start_form": {"type": ["object", "null"],
                       "description": "the JSON Schema (2020-12) that `data` must pass when starting a case"},
    }),
    "ProcessList": _object({"processes": {"type": "array", "items": _ref("Process")}}),
    "StartCase": _object({
        "process_id": PROCESS_ID,
        "data": {"type": "object", "description": "the start form's fields; the organisation of the starter "
                                                  "is set by ZVT from the client's partner"},
    }),
    "CaseStarted": _object({
        "number": {"type": "integer", "minimum": 1},
        "may_read": {"type": "boolean", "description": "whether this client may read the new case now "
                                                       "(GET /api/v1/cases/{number})"},
    }),
    "TaskSummary": _object({
        **_TASK,
        "mine": {"type": "boolean", "description": "assigned to this client; else an open task of one of its roles"},
        "overdue": {"type": "boolean"},
    }),
    "TaskList": _object({"tasks": {"type": "array", "items": _ref("TaskSummary")}}),
    "Task": _object({
        **_TASK,
        "form": {"type": ["object", "null"],
                 "description": "the JSON Schema (2020-12) that `data` must pass; null: the task takes no data"},
        "read_only": {"type": "object", "description": "the form's read-only fields, filled from the case; "
                                                      "never sent back"},
        "prefill": {"type": "object", "description": "rows a list field must hold, such as the register's "
                                                    "recipients"},
    }),
    "CompleteTask": _object({"data": {"type": "object", "description": "the task form's fields"}}),
    "TaskCompleted": _object({
        "case": {"type": "integer", "minimum": 1},
        "task_name": TEXT_OR_NULL,
        "may_read_case": {"type": "boolean"},
    }),
    "Answer": _object({
        "field": {"type": "string"},
        "label": {"type": "string", "description": "the field's question on the form, in Dutch"},
        "value": {"description": "as entered; of a group, only the fields the form names"},
    }),
    "Step": _object({
        "task_id": {"type": "string"},
        "bpmn_id": {"type": "string"},
        "name": {"type": "string"},
        "type": {"type": "string"},
        "state": {"type": "string"},
        "finished_at": DATE_TIME,
        "by": {"type": "string", "description": "the account, or `automatisch` for a step the engine took"},
        "answers": {"type": "array", "items": _ref("Answer")},
    }),
    "OpenTask": _object({
        "id": TASK_ID, "name": TEXT_OR_NULL, "lane": TEXT_OR_NULL, "assignee": TEXT_OR_NULL,
        "due_at": _nullable(DATE_TIME),
    }),
    "Partner": _object({"code": {"type": "string"}, "name": {"type": "string"}}),
    "Item": _object({
        "id": {"type": "integer"},
        "source_partner": {"type": "string"},
        "created_at": DATE_TIME,
        "kind": {"type": "string"},
        "kind_label": {"type": "string"},
        "police": {"type": "boolean"},
        "notice": TEXT_OR_NULL,
        "subject": {"type": "string"},
        "content": {"type": "string"},
        "consent": _nullable(_object({"officer": {"type": "string"}, "function": {"type": "string"},
                                      "given_on": {"type": "string"}})),
        "shared_with": _nullable({"type": "object", "additionalProperties": {"type": "string"},
                                  "description": "partner code -> why it needs the item"}),
    }, description="A partner's data item the client may read; police items carry the Wpg secrecy notice."),
    "Case": _object({
        "number": {"type": "integer", "minimum": 1},
        "process_id": {"type": "string"},
        "process_name": TEXT_OR_NULL,
        "version": {"type": "integer"},
        "status": {"type": "string", "enum": ["scheduled", "running", "completed", "cancelled", "destroyed"]},
        "started_at": DATE_TIME,
        "completed_at": _nullable(DATE_TIME),
        "destroy_at": _nullable(DATE_TIME),
        "legal_hold": _nullable({"type": "string", "description": "why it is not destroyed"}),
        "paused": _nullable(_object({"since": DATE_TIME, "by": TEXT_OR_NULL, "reason": TEXT_OR_NULL})),
        "summary": {"type": "array", "items": _ref("Answer"),
                    "description": "the betrokkene, as the case page heads it"},
        "informing": _nullable(_object({
            "state": {"type": "string", "enum": ["informed", "not_informed", "to_inform", "open"]},
            "text": {"type": "string", "description": "in Dutch"},
            "recorded_at": _nullable(DATE_TIME), "recorded_by": TEXT_OR_NULL})),
        "feedback": _nullable(_object({
            "decision": TEXT_OR_NULL, "explanation": TEXT_OR_NULL, "advice": TEXT_OR_NULL, "decided_at": TEXT_OR_NULL},
            description="what the organisation that referred the case was told")),
        "niveau": _nullable(_object({"current": {}, "proposed": {},
                                     "history": {"type": "array", "items": {"type": "object"}}})),
        "participants": {"type": "array", "items": _ref("Partner")},
        "open_tasks": {"type": "array", "items": _ref("OpenTask")},
        "steps": {"type": "array", "items": _ref("Step"), "description": "oldest first"},
        "items": {"type": "array", "items": _ref("Item")},
    }, description="What the case page shows this client, and nothing more."),
}


def _problem_response(description: str, headers: dict | None = None, schema: str = "Problem") -> dict:
    response = {"description": description, "content": {PROBLEM_TYPE: {"schema": _ref(schema)}}}
    if headers:
        response["headers"] = headers
    return response


_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer", "minimum": 1}}}

RESPONSES = {
    "BadRequest": _problem_response("A control character in the address, or a body that is no JSON object of the "
                                    "request's schema here (then `errors` says where)."),
    "Unauthorized": _problem_response(
        "No token, an unknown, expired or revoked token, a switched-off service account, or a session cookie "
        "(the API takes tokens only).",
        {"WWW-Authenticate": {"schema": {"type": "string"}}}),
    "Forbidden": _problem_response("The policy refuses this client; the refusal is in the access log."),
    "NotFound": _problem_response("There is no such case, task or process."),
    "Conflict": _problem_response("The task is no longer open (completed, closed by its deadline) or the case "
                                  "changed at the same moment; nothing was saved."),
    "TooLarge": _problem_response("The body is larger than the server takes (ZVT_MAX_REQUEST_KB)."),
    "UnsupportedMediaType": _problem_response("The body is not `application/json`."),
    "InvalidData": _problem_response("The data did not pass the form; nothing was saved.",
                                     schema="InvalidDataProblem"),
    "TooManyRequests": _problem_response("The client's requests of this minute are used up.", _RETRY_AFTER),
    "ServerError": _problem_response("Something went wrong in ZVT or in the process itself; nothing was saved."),
    "Unavailable": _problem_response("The database did not answer in time; try again.", _RETRY_AFTER),
}


# Invented examples (docs/api.md uses the same): an aanmelding as a housing corporation's system
# sends it, and a beoordeling as the municipality's case system completes it.
EXAMPLE_AANMELDING = {
    "process_id": "zvt_casus",
    "data": {
        "betrokkene_naam": "Mevrouw J. Voorbeeld", "betrokkene_geboortedatum": "1968-05-14",
        "betrokkene_adres": "Proefstraat 12, 8442 AB Heerenveen",
        "reden_aanmelding": "Huurachterstand van drie maanden; reageert niet op brieven of huisbezoek.",
        "urgentie": "snel", "situaties": ["dreigende_huisuitzetting"], "leefgebieden": ["wonen", "financien"],
        "zelfregie": False, "grote_maatschappelijke_impact": False, "betrokkene_op_de_hoogte": True,
        "toestemming": "ja", "grondslag_afgewogen": True,
    },
}
EXAMPLE_BEOORDELING = {"data": {
    "niveau": 2, "besluit_beoordeling": "oppakken", "toelichting_besluit": "Twee leefgebieden, geen zelfregie.",
    "reden_afwijking": "De woningcorporatie ziet meer dan het afwegingskader.",
    "deelnemende_partners": ["gemeente_heerenveen", "woonfriesland"], "crisisoverleg": False,
    "informeren": "informeren",
}}


def _operation(operation_id: str, summary: str, description: str, responses: dict, *, body: str | None = None,
               parameters: list | None = None, example: dict | None = None) -> dict:
    operation = {"operationId": operation_id, "summary": summary, "description": description,
                 "responses": {**responses, **_ALWAYS, **(_WITH_BODY if body else {})}}
    if body:
        content = {"schema": _ref(body)}
        if example is not None:
            content["examples"] = {"example": {"value": example}}
        operation["requestBody"] = {"required": True, "content": {"application/json": content}}
    if parameters:
        operation["parameters"] = parameters
    return operation


def _link(operation_id: str, **parameters: str) -> dict:
    """An OpenAPI link: where a value of this answer goes in a next request."""
    return {"operationId": operation_id, "parameters": parameters}


_CASE_NUMBER = {"name": "number", "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_CASE_NUMBER}}
_TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": TASK_ID}

PATHS = {
    f"{PREFIX}/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This document", "security": [],
        "responses": {"200": _json({"type": "object"}, "The OpenAPI 3.1 document of this API.")}}},
    f"{PREFIX}/processes": {"get": _operation(
        "list_processes", "Processes this client may start",
        "The deployed processes whose cases the client's roles may start, each with its start form.",
        {"200": _json(_ref("ProcessList"), "The processes.")})},
    f"{PREFIX}/cases": {"post": _operation(
        "start_case", "Start a case",
        "Starts a case of the process with the start form's data, checked exactly as the web form's; the "
        "starter's organisation comes from the client's partner. Logged as `create`.",
        {"201": _json(_ref("CaseStarted"), "The case started.", headers={
            "Location": {"description": "the case's address", "schema": {"type": "string"}}},
            links={"read_case": _link("get_case", number="$response.body#/number")}),
         "403": _response("Forbidden"), "404": _response("NotFound"), "422": _response("InvalidData")},
        body="StartCase", example=EXAMPLE_AANMELDING)},
    f"{PREFIX}/cases/{{number}}": {"get": _operation(
        "get_case", "Read a case",
        "What the case page would show this client, and nothing more. 404 when there is no such case, 403 "
        "(logged) when the client may not read it. Logged as `read`, each data item shown as well.",
        {"200": _json(_ref("Case"), "The case."), "403": _response("Forbidden"), "404": _response("NotFound")},
        parameters=[_CASE_NUMBER])},
    f"{PREFIX}/tasks": {"get": _operation(
        "list_tasks", "My tasks",
        "The tasks assigned to this client and the open tasks of its roles that the policy lets it do, as Mijn "
        "taken lists them: case numbers, task names and due dates, no case data (not logged, as the page).",
        {"200": _json(_ref("TaskList"), "The tasks, the first due first.", links={
            "read_first_task": _link("get_task", task_id="$response.body#/tasks/0/id"),
            "complete_first_task": _link("complete_task", task_id="$response.body#/tasks/0/id")})})},
    f"{PREFIX}/tasks/{{task_id}}": {"get": _operation(
        "get_task", "Read a task and its form",
        "The task with its form (JSON Schema) and the read-only values the form shows from the case. Logged "
        "as `read`.",
        {"200": _json(_ref("Task"), "The task.", links={
            "complete_task": _link("complete_task", task_id="$response.body#/id"),
            "read_case": _link("get_case", number="$response.body#/case")}),
         "403": _response("Forbidden"), "404": _response("NotFound")},
        parameters=[_TASK_ID])},
    f"{PREFIX}/tasks/{{task_id}}/complete": {"post": _operation(
        "complete_task", "Complete a task",
        "Completes the task with its form's data, checked exactly as the web form's. Logged as `change`.",
        {"200": _json(_ref("TaskCompleted"), "The task is completed."), "403": _response("Forbidden"),
         "404": _response("NotFound"), "409": _response("Conflict"), "422": _response("InvalidData")},
        body="CompleteTask", parameters=[_TASK_ID], example=EXAMPLE_BEOORDELING)},
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "ZVT API for partner systems",
        "version": "1.0.0",
        "description": "Start cases, list and complete tasks and read cases within need to know, as a service "
                       "account of a partner with its roles: the same policy and access log as the pages. "
                       "See docs/api.md.",
    },
    "security": [{"token": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"token": {
            "type": "http", "scheme": "bearer",
            "description": "The client's token (`zvt_...`), made by the beheerder with `zvt api-clients add`. "
                           "Requests with a session cookie are refused."}},
        "schemas": SCHEMAS,
        "responses": RESPONSES,
    },
}


def operations() -> list[tuple[str, str, dict]]:
    """(path, method, operation) of every operation in the document."""
    return [(path, method, operation) for path, item in PATHS.items() for method, operation in item.items()]

"""Checked policies as an HTTP service: ``create_app(policies)`` builds it, ``polc serve`` runs it.

The handlers are thin: they read a bounded body, call the evaluator (in a worker thread, under a
time limit) and the portal post-processing in ``results.py``, and return JSON. Every failure is a
``ServiceError`` or the runtime's ``InputError``; ``_install_error_handlers`` maps them all to one
JSON shape, ``{"错误": ..., "问题": [{"位置": ..., "问题": ...}]}``, in one place. The OpenAPI
document is built from the same input contract ``polc build`` writes into a module (``schema.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections.abc import Callable
from decimal import Decimal

import attrs
from fastapi import Request  # module level: FastAPI resolves handler annotations here
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Route

from compiler import __version__
from compiler import runtime as rt
from compiler.targets.python.interpreter import Interpreter
from compiler.targets.python.results import compact, explain
from compiler.targets.python.schema import json_schema

JSON_LINES = "application/x-ndjson"


@attrs.frozen
class Limits:
    """What one request may cost; a request over a limit gets 413 (size) or 503 (time)."""

    body_bytes: int = 1 << 20  # one enterprise record
    batch_bytes: int = 64 << 20  # one JSON Lines upload
    batch_records: int = 10_000
    seconds: float = 30.0


@attrs.frozen
class ServedPolicy:
    """A checked, lowered policy under the id its URLs use."""

    id: str
    interpreter: Interpreter
    info: dict  # name, issuer, status, counts: what GET /policies lists
    schema: dict  # the input contract, as polc build writes it
    decide: Callable  # (record, params, as_of) → the decided result, for detail=results


def served_policy(policy_id: str, interpreter: Interpreter, metadata: dict, decide: Callable | None = None) -> ServedPolicy:
    """A policy ready to serve under ``policy_id``: what GET /policies lists (with validity) and its input schema.
    ``decide`` is the generated module's decide path (cache.Loaded.decide); the interpreter's without it."""
    plan = interpreter.plan
    return ServedPolicy(policy_id, interpreter, {"id": policy_id, **metadata, "施行期": _validity(interpreter)},
                        json_schema(plan, plan.descriptions), decide or interpreter.decide)


def _validity(interpreter: Interpreter) -> dict | None:
    """The validity period with the policy's own parameter values (dates may still be 待定)."""
    validity = interpreter.policy["validity"]
    if validity is None:
        return None
    start_fn, end_fn, months = validity
    ctx = rt.Context({}, {}, [], rt.bound_params(interpreter.policy["param_values"], None), None, [])

    def shown(fn):
        if fn is None:
            return None
        value = fn(ctx)
        return "待定" if value is rt.PENDING else value.isoformat()

    return {"起": shown(start_fn), "止": shown(end_fn), "试行月数": int(months) if months else None}


class ServiceError(Exception):
    """A request that cannot be answered; status and message go straight into the response."""

    def __init__(self, status: int, message: str, problems: list | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []


# ---- reading requests -------------------------------------------------------------------

async def read_body(request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ServiceError(413, f"请求体过大：最多 {limit} 字节")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ServiceError(413, f"请求体过大：最多 {limit} 字节")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(data: bytes, where: str = "请求体"):
    """JSON text as Python values; a message in Chinese with line and column when it is not JSON."""
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ServiceError(422, f"{where}不是 UTF-8 编码的文本") from None
    except json.JSONDecodeError as exc:
        place = f"第{exc.lineno}行第{exc.colno}列" if where == "请求体" else f"第{exc.colno}列"
        raise ServiceError(422, f"{where}不是有效的 JSON（{place}）：{exc.msg}") from None
    except ValueError:
        raise ServiceError(422, f"{where}中有位数过多的数字，无法读取") from None
    except RecursionError:
        raise ServiceError(422, f"{where}的 JSON 嵌套过深，无法读取") from None


@attrs.frozen
class Options:
    """An evaluation request's options: the date, parameter values (set=名称=值) and the detail wanted."""
    as_of: str | None
    params: dict
    detail: str  # "compact", "full" or "results"


DETAILS = "compact（精简结果）、full（含求值过程的完整结果）或 results（只要结果：状态、金额与合计）"


def read_options(query) -> Options:
    """The options of a request from its query string; a bad one is a 422 that names it."""
    detail = query.get("detail", "compact")
    if detail not in ("compact", "full", "results"):
        raise ServiceError(422, f"detail 应是 compact、full 或 results，这里是“{detail}”",
                           [{"位置": "detail", "问题": f"应是{DETAILS}"}])
    params = {}
    for pair in query.getlist("set"):
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ServiceError(422, "参数取值的写法是 set=名称=值",
                               [{"位置": "set", "问题": f"应写成 名称=值，如 外资支持比例=5%，这里是“{pair}”"}])
        params[name.strip()] = value.strip()
    as_of = query.get("date")
    if as_of is not None:
        try:
            rt.parse_date(as_of)  # a date given must be one, as in polc eval: an empty one too
        except ValueError as exc:
            raise rt.InputError([{"位置": "评估日期", "问题": str(exc)}]) from None
    return Options(as_of, params, detail)


# ---- evaluating -------------------------------------------------------------------------

def evaluate(policy: ServedPolicy, record, options: Options) -> dict:
    """The full result (exactly what ``polc eval --json`` prints), the compact portal view, or the
    decided result (statuses, amounts and totals, no trace: the fastest)."""
    if options.detail == "results":
        return policy.decide(record, options.params, options.as_of)
    result = policy.interpreter.evaluate(record, options.params, options.as_of)
    if options.detail == "full":
        return result
    return compact(result, explain(policy.interpreter, record, result, options.params, options.as_of))


def match(policies, record, options: Options) -> list[dict]:
    """One enterprise against every policy, ranked by the amount certain, then by the most possible."""
    if not isinstance(record, dict):
        raise ServiceError(422, "企业记录应是 JSON 对象", [{"位置": "$", "问题": "应是 JSON 对象"}])
    entries = []
    for policy in policies:
        entry = {"id": policy.id, "名称": policy.info["名称"]}
        try:
            result = evaluate(policy, record, Options(options.as_of, {}, options.detail))
        except rt.InputError as exc:
            entry["问题"] = exc.problems
        else:
            entry.update(合计=result["汇总"]["合计"], 最高合计=result["汇总"]["最高合计"], 结果=result)
        entries.append(entry)
    entries.sort(key=lambda e: ("结果" not in e, -Decimal(e.get("合计", 0)), -Decimal(e.get("最高合计", 0))))
    return entries


def batch_line(policy: ServedPolicy, number: int, line: bytes, options: Options) -> dict:
    """One JSON Lines record answered in its place: a result or its problems, never an exception."""
    try:
        record = parse_json(line, f"第{number}行")
        return {"行": number, "结果": evaluate(policy, record, options)}
    except ServiceError as exc:
        return {"行": number, "问题": [{"位置": "$", "问题": exc.message}]}
    except rt.InputError as exc:
        return {"行": number, "问题": exc.problems}


def dumps(value) -> bytes:
    """A response body: JSON bytes with Chinese as written, and dates and Decimals as text."""
    return json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")


# ---- the application -------------------------------------------------------------------

def create_app(policies: list[ServedPolicy], limits: Limits = Limits()):
    """The ASGI application serving ``policies``; the server itself is started elsewhere."""
    by_id = {p.id: p for p in policies}
    if len(by_id) != len(policies):
        raise ValueError("two policies have the same id")
    # the interactive docs' script and styles are served from the package, not a CDN: a district's
    # network may reach no outside host
    app = FastAPIOffline(title="polc 政策服务", version=__version__, openapi_url="/openapi.json", docs_url="/docs",
                         redoc_url=None, static_url="/docs-static")
    document = openapi_document(policies, limits)
    app.openapi = lambda: document
    _install_error_handlers(app)

    def found(policy_id: str) -> ServedPolicy:
        policy = by_id.get(policy_id)
        if policy is None:
            raise ServiceError(404, f"没有政策「{policy_id}」；可用的有：{'、'.join(by_id) or '（无）'}")
        return policy

    def reply(value, status: int = 200) -> Response:
        return Response(dumps(value), status_code=status, media_type="application/json")

    async def in_time(fn):
        try:
            return await asyncio.wait_for(run_in_threadpool(fn), limits.seconds)
        except asyncio.TimeoutError:
            raise ServiceError(503, f"求值超过每次请求的时限 {limits.seconds:g} 秒") from None

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return reply({"状态": "正常", "政策数": len(policies)})

    @app.get("/policies", include_in_schema=False)
    async def list_policies():
        return reply([p.info for p in policies])

    @app.get("/policies/{policy_id}/schema", include_in_schema=False)
    async def policy_schema(policy_id: str):
        return reply(found(policy_id).schema)

    @app.post("/policies/{policy_id}/evaluate", include_in_schema=False)
    async def evaluate_one(policy_id: str, request: Request):
        policy = found(policy_id)
        options = read_options(request.query_params)
        record = parse_json(await read_body(request, limits.body_bytes))
        return reply(await in_time(lambda: evaluate(policy, record, options)))

    @app.post("/match", include_in_schema=False)
    async def match_all(request: Request):
        options = read_options(request.query_params)
        if options.params:  # each policy declares its own parameters: a value for one means nothing to another
            raise ServiceError(422, "/match 不接受参数取值 set；请对单份政策使用 /policies/{id}/evaluate",
                               [{"位置": "set", "问题": "/match 对全部政策求值，不接受参数取值"}])
        record = parse_json(await read_body(request, limits.body_bytes))
        return reply(await in_time(lambda: match(policies, record, options)))

    # A raw ASGI route: the body is read and answered line by line, interleaved, which a streaming
    # response that also listens for the client's disconnect would not allow.
    app.router.routes.append(Route("/policies/{policy_id}/evaluate-batch", BatchEndpoint(found, limits),
                                   methods=["POST"]))

    return app


class BatchEndpoint:
    """POST /policies/{id}/evaluate-batch: JSON Lines in, one JSON line out per record, as they come.

    A limit reached mid-stream cannot change the status any more, so it ends the stream with a
    line that says so (``"已停止": true``).
    """

    def __init__(self, found, limits: Limits):
        self.found = found
        self.limits = limits

    async def __call__(self, scope, receive, send):
        request = Request(scope, receive)
        try:
            policy = self.found(scope["path_params"]["policy_id"])
            options = read_options(request.query_params)
            rt.read_date_and_params(policy.interpreter.policy, options.params, options.as_of)  # said once, not on every line
            declared = request.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.limits.batch_bytes:
                raise ServiceError(413, f"请求体过大：每批最多 {self.limits.batch_bytes} 字节")
            if declared == "0":
                raise ServiceError(422, "请求体为空：每行应是一家企业的 JSON 对象")
        except (ServiceError, rt.InputError) as exc:
            await response_for(exc)(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", JSON_LINES.encode())]})
        try:
            async for line in _batch_lines(request, policy, options, self.limits):
                await send({"type": "http.response.body", "body": line, "more_body": True})
        except ClientDisconnect:
            return  # nobody left to answer
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _batch_lines(request, policy, options, limits: Limits):
    """Answer the lines of each chunk as it arrives (one worker-thread call per chunk); a limit
    reached ends the stream with a line that says so."""
    deadline = time.monotonic() + limits.seconds
    pending, size, number, records = bytearray(), 0, 0, 0

    def stop(at: int, message: str) -> bytes:
        return dumps({"行": at, "问题": [{"位置": "$", "问题": message}], "已停止": True}) + b"\n"

    def answer(lines: list) -> tuple[list[bytes], bool]:
        """The output lines for some input lines, and whether the stream stops there."""
        nonlocal records
        out = []
        for at, line in lines:
            if not line.strip():
                continue
            records += 1
            if records > limits.batch_records:
                out.append(stop(at, f"每批最多 {limits.batch_records} 条记录，从这一行起未处理"))
                return out, True
            if time.monotonic() > deadline:
                out.append(stop(at, f"超过每次请求的时限 {limits.seconds:g} 秒，从这一行起未处理"))
                return out, True
            out.append(dumps(batch_line(policy, at, line, options)) + b"\n")
        return out, False

    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.batch_bytes:
            yield stop(number + 1, f"请求体过大：每批最多 {limits.batch_bytes} 字节，从这一行起未处理")
            return
        pending += chunk
        ready = []
        while (end := pending.find(b"\n")) >= 0:
            number += 1
            ready.append((number, bytes(pending[:end])))
            del pending[:end + 1]
        if ready:
            out, stopped = await run_in_threadpool(answer, ready)
            for line in out:
                yield line
            if stopped:
                return
    if pending.strip():
        out, _ = await run_in_threadpool(answer, [(number + 1, bytes(pending))])
        for line in out:
            yield line


def error_response(status: int, message: str, problems=(), headers: dict | None = None) -> Response:
    """The one shape of every error: a message and the problems, each with its place."""
    return Response(dumps({"错误": message, "问题": list(problems)}), status_code=status,
                    media_type="application/json", headers=headers)


def response_for(exc: ServiceError | rt.InputError) -> Response:
    """A request's own failure: its status and message, or 422 with every problem in the input."""
    if isinstance(exc, ServiceError):
        return error_response(exc.status, exc.message, exc.problems)
    record_only = all(p["位置"].startswith("$") for p in exc.problems)
    return error_response(422, f"{'企业信息' if record_only else '输入'}有 {len(exc.problems)} 处问题", exc.problems)


def _install_error_handlers(app) -> None:
    """Every way a request fails, mapped to one JSON shape with a Chinese message."""
    error = error_response

    async def own_error(request, exc):
        return response_for(exc)

    async def http_error(request, exc: HTTPException):
        messages = {404: "没有这个地址；可用的地址见 /openapi.json", 405: "这个地址不接受这种请求方法"}
        # keep the framework's headers: a 405 says in Allow which methods the address takes
        return error(exc.status_code, messages.get(exc.status_code, str(exc.detail)), headers=exc.headers)

    async def validation_error(request, exc: RequestValidationError):
        return error(422, "请求有误", [{"位置": ".".join(map(str, e.get("loc", ()))), "问题": e.get("msg", "")}
                                      for e in exc.errors()])

    app.add_exception_handler(ServiceError, own_error)
    app.add_exception_handler(rt.InputError, own_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)


# ---- the OpenAPI document -------------------------------------------------------------

_ERROR = {"type": "object", "required": ["错误", "问题"],
          "properties": {"错误": {"type": "string"},
                         "问题": {"type": "array", "items": {"type": "object", "required": ["位置", "问题"],
                                                             "properties": {"位置": {"type": "string"},
                                                                            "问题": {"type": "string"}}}}}}

_RESULT = {"type": "object", "required": ["政策", "评估日期", "条款", "汇总", "输入提示"],
           "description": "求值结果：detail=compact 为精简结果（含档次、有条件金额、建议补充），detail=full 为含求值过程的完整结果，"
                          "detail=results 只有各条款的状态、金额与合计（不含求值过程，最快）",
           "properties": {"政策": {"type": "string"}, "评估日期": {"type": ["string", "null"]},
                          "条款": {"type": "array", "items": {"type": "object", "required": ["条款", "状态"]}},
                          "汇总": {"type": "object", "required": ["合计", "最高合计"]},
                          "建议补充": {"type": "array"}, "输入提示": {"type": "array"},
                          "其余不符合": {"type": "integer", "minimum": 0,
                                    "description": "精简结果：不符合且无差距可说、未列出的款数"}}}


def _errors(*statuses: int) -> dict:
    reasons = {404: "没有这份政策", 413: "请求体过大", 422: "输入有误（企业信息、评估日期或参数），问题逐条列出位置",
               503: "超过每次请求的时限"}
    return {str(s): {"description": reasons[s], "content": {"application/json": {"schema": {"$ref": "#/components/schemas/错误"}}}}
            for s in statuses}


def _query_parameters(params: dict | None = None) -> list[dict]:
    out = [{"name": "date", "in": "query", "required": False, "description": "评估日期 YYYY-MM-DD；不写则不核对施行期",
            "schema": {"type": "string", "format": "date"}},
           {"name": "detail", "in": "query", "required": False, "description": "compact（默认）、full 或 results",
            "schema": {"type": "string", "enum": ["compact", "full", "results"], "default": "compact"}}]
    if params:
        names = "|".join(re.escape(name) for name in params)
        out.append({"name": "set", "in": "query", "required": False, "style": "form", "explode": True,
                    "description": "参数取值，写成 名称=值，如 外资支持比例=5%；可重复。可设的参数：" + "、".join(params),
                    "schema": {"type": "array", "items": {"type": "string", "pattern": f"^({names})=.+$"}}})
    return out


def openapi_document(policies: list[ServedPolicy], limits: Limits) -> dict:
    """OpenAPI 3.1: each policy's paths take its own input contract as the request body."""
    schemas = {"错误": _ERROR, "结果": _RESULT}
    paths = {
        "/healthz": {"get": {"summary": "服务是否正常", "operationId": "healthz", "responses": {"200": {
            "description": "正常", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/policies": {"get": {"summary": "已加载的政策", "operationId": "list_policies", "responses": {"200": {
            "description": "每份政策的 id、名称、发布单位、文本状态、施行期与条款数",
            "content": {"application/json": {"schema": {"type": "array", "items": {
                "type": "object", "required": ["id", "名称"]}}}}}}}},
        "/match": {"post": {
            "summary": "政策计算器：一家企业对全部政策求值，按确定可得的金额排序", "operationId": "match",
            "parameters": _query_parameters(),
            "requestBody": {"required": True, "description": f"企业信息（各政策的字段之并），最多 {limits.body_bytes} 字节",
                            "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "每份政策一项：合计、最高合计与结果，或输入问题",
                                  "content": {"application/json": {"schema": {"type": "array", "items": {
                                      "type": "object", "required": ["id", "名称"]}}}}},
                          **_errors(413, 422, 503)}}},
    }
    for policy in policies:
        name = f"企业信息_{policy.id}"
        schemas[name] = {k: v for k, v in policy.schema.items() if k != "$schema"}
        body = {"$ref": f"#/components/schemas/{name}"}
        base = f"/policies/{policy.id}"
        title = policy.info["名称"]
        paths[f"{base}/schema"] = {"get": {
            "summary": f"{title}：企业信息的 JSON Schema（与 polc build 生成的 SCHEMA 相同）",
            "operationId": f"schema_{policy.id}",
            "responses": {"200": {"description": "JSON Schema 2020-12",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}}}}
        paths[f"{base}/evaluate"] = {"post": {
            "summary": f"{title}：为一家企业求值", "operationId": f"evaluate_{policy.id}",
            "parameters": _query_parameters(policy.interpreter.plan.declared_params),
            "requestBody": {"required": True, "description": f"企业信息，最多 {limits.body_bytes} 字节",
                            "content": {"application/json": {"schema": body}}},
            "responses": {"200": {"description": "求值结果",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/结果"}}}},
                          **_errors(413, 422, 503)}}}
        paths[f"{base}/evaluate-batch"] = {"post": {
            "summary": f"{title}：批量求值（JSON Lines 进，JSON Lines 出，逐行流式返回）",
            "operationId": f"evaluate_batch_{policy.id}",
            "parameters": _query_parameters(policy.interpreter.plan.declared_params),
            "requestBody": {"required": True,
                            "description": f"每行一家企业的 JSON 对象；最多 {limits.batch_records} 条、{limits.batch_bytes} 字节",
                            "content": {JSON_LINES: {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "每行一个结果：{\"行\": n, \"结果\": …} 或 {\"行\": n, \"问题\": […]}",
                                  "content": {JSON_LINES: {"schema": {"type": "string"}}}},
                          **_errors(413, 422)}}}
    return {"openapi": "3.1.0",
            "info": {"title": "polc 政策服务", "version": __version__,
                     "description": "按政策文本编码的规则为企业求值：适用哪些条款、各得多少、还缺什么信息。"},
            "paths": paths, "components": {"schemas": schemas}}


# ---- loading and serving --------------------------------------------------------------

def policy_ids(paths: list[str]) -> list[str]:
    """URL ids from file names: ASCII stems as they are, others made safe; repeats numbered."""
    from compiler.targets.python.build import module_name
    from types import SimpleNamespace

    ids, seen = [], {}
    for path in paths:
        base = module_name(SimpleNamespace(main=SimpleNamespace(path=path)))
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return ids


def app_from_environment():
    """The app a uvicorn worker builds from POLC_SERVE (set by ``polc serve --workers N``)."""
    from compiler.cache import load_interpreter

    settings = json.loads(os.environ["POLC_SERVE"])
    policies = []
    for policy_id, (path, rules) in zip(policy_ids([p for p, _ in settings["policies"]]), settings["policies"]):
        loaded = load_interpreter(path, rules)
        policies.append(served_policy(policy_id, loaded.interpreter, loaded.metadata, loaded.decide))
    return create_app(policies, Limits(**settings.get("limits", {})))

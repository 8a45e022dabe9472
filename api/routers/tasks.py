"""Task routes: parse, call one service method, shape the reply.

Every route that reaches the database is a plain `def`: FastAPI runs it on its
thread pool, so a request that waits for the database (a lock, the network)
never holds up the event loop and the requests behind it.
"""

from typing import Annotated

from fastapi import Body, Header, Query, Request
from starlette.responses import Response

from api.conditional import etag, if_none_match_hits, parse_if_match
from api.dependencies import Tasks
from api.openapi import CREATED_ID, answer, errors, links_to
from api.pagination import list_response
from api.params import Id, Limit, SearchText, Skip, parse_sort, sort_rules
from api.responses import reply
from api.routing import api_router
from api.schemas.tasks import EXAMPLE_TITLE, TaskCreate, TaskUpdate
from api.security import CurrentUser
from domain.errors import NotFound
from domain.pages import PageRequest
from domain.tasks.model import FIRST_VERSION, SORTABLE_FIELDS, Priority, Status, Task, TaskQuery
from domain.tasks.service import TaskService, duplicate_title, repeated_in_batch, stale_version
from domain.users.model import Actor

router = api_router(tags=["tasks"])

MAX_BULK = 1000
# The query parameters each list endpoint understands besides skip and limit
# (its Link URLs keep these and drop the rest).
LIST_PARAMETERS = ("status", "priority", "q", "sort")
BY_STATUS_PARAMETERS = ("priority", "q", "sort")

Sort = Annotated[
    str,
    *sort_rules(SORTABLE_FIELDS),
    Query(description=f"Comma list of {', '.join(SORTABLE_FIELDS)}; a '-' prefix sorts descending"),
]
Statuses = Annotated[list[Status] | None, Query(description="Any of these (repeat the parameter)")]
Priorities = Annotated[list[Priority] | None, Query(description="Any of these (repeat the parameter)")]
Text = Annotated[SearchText | None, Query(description="Case-insensitive substring of the title")]
IfMatch = Annotated[str | None, Header(description='"<version>", a list of them, or *')]
IfNoneMatch = Annotated[str | None, Header(description='"<version>", a list of them, or *')]


# What a client can do next with a task it created.
_TASK_OPERATIONS = ("get_task", "patch_task", "put_task", "delete_task")


def _task_response(request: Request, task: Task, *, location: bool = False) -> Response:
    headers = {"ETag": etag(task.version)}
    if location:
        headers["Location"] = f"/tasks/{task.id}"
    return reply(request, task, headers=headers)


def _list(request: Request, me: Actor, tasks: TaskService, query: TaskQuery, parameters: tuple[str, ...]) -> Response:
    return list_response(request, tasks.find(me, query), query.page, parameters)


def _query(
    statuses: list[Status] | None,
    priorities: list[Priority] | None,
    text: str | None,
    sort: str,
    skip: int,
    limit: int,
) -> TaskQuery:
    return TaskQuery(
        statuses=frozenset(statuses or ()),
        priorities=frozenset(priorities or ()),
        text=text,
        sort=parse_sort(sort, SORTABLE_FIELDS),
        page=PageRequest(skip=skip, limit=limit),
    )


@router.post(
    "/tasks",
    status_code=201,
    response_model=Task,
    summary="Create a task",
    responses={
        **answer(201, "Location", "ETag", links=links_to(*_TASK_OPERATIONS, task_id=CREATED_ID)),
        **errors(duplicate_title(EXAMPLE_TITLE), 422, 503),
    },
)
def create_task(request: Request, body: TaskCreate, me: CurrentUser, tasks: Tasks) -> Response:
    return _task_response(request, tasks.create(me, body.to_domain()), location=True)


@router.post(
    "/tasks/bulk",
    status_code=201,
    response_model=list[Task],
    summary="Create up to 1,000 tasks at once, all or nothing",
    responses={
        # The first created task's links (a client follows one).
        **answer(201, links=links_to(*_TASK_OPERATIONS, task_id="$response.body#/0/id")),
        **errors(duplicate_title(EXAMPLE_TITLE), repeated_in_batch(EXAMPLE_TITLE), 422, 503),
    },
)
def bulk_create_tasks(
    request: Request,
    body: Annotated[list[TaskCreate], Body(min_length=1, max_length=MAX_BULK)],
    me: CurrentUser,
    tasks: Tasks,
) -> Response:
    return reply(request, tasks.create_many(me, [item.to_domain() for item in body]))


@router.get(
    "/tasks",
    response_model=list[Task],
    summary="List tasks",
    responses={**answer(200, "X-Total-Count", "Link"), **errors(422, 503)},
)
def list_tasks(
    request: Request,
    me: CurrentUser,
    tasks: Tasks,
    status: Statuses = None,
    priority: Priorities = None,
    q: Text = None,
    sort: Sort = "id",
    skip: Skip = 0,
    limit: Limit = 50,
) -> Response:
    return _list(request, me, tasks, _query(status, priority, q, sort, skip, limit), LIST_PARAMETERS)


@router.get(
    "/tasks/by-status/{status}",
    response_model=list[Task],
    summary="List the tasks of one status",
    responses={**answer(200, "X-Total-Count", "Link"), **errors(422, 503)},
)
def list_tasks_by_status(
    request: Request,
    status: Status,
    me: CurrentUser,
    tasks: Tasks,
    priority: Priorities = None,
    q: Text = None,
    sort: Sort = "id",
    skip: Skip = 0,
    limit: Limit = 50,
) -> Response:
    return _list(request, me, tasks, _query([status], priority, q, sort, skip, limit), BY_STATUS_PARAMETERS)


@router.get(
    "/tasks/{task_id}",
    response_model=Task,
    summary="Get a task",
    responses={
        **answer(200, "ETag"),
        304: {"description": "If-None-Match names the current version", **answer(304, "ETag")[304]},
        **errors(NotFound("Task"), 422, 503),
    },
)
def get_task(
    request: Request, task_id: Id, me: CurrentUser, tasks: Tasks, if_none_match: IfNoneMatch = None
) -> Response:
    task = tasks.get(me, task_id)
    if if_none_match_hits(if_none_match, task.version):
        return Response(status_code=304, headers={"ETag": etag(task.version)})
    return _task_response(request, task)


def _update(
    request: Request, me: Actor, tasks: TaskService, task_id: int, body: TaskUpdate, if_match: str | None
) -> Response:
    return _task_response(request, tasks.update(me, task_id, body.to_domain(), parse_if_match(if_match)))


_UPDATE_RESPONSES = {
    **answer(200, "ETag"),
    **errors(NotFound("Task"), duplicate_title(EXAMPLE_TITLE), stale_version(FIRST_VERSION), 422, 503),
}
_UPDATE_DESCRIPTION = (
    "Partial update: absent fields keep their value, `description: null` clears it. "
    "The version rises by one when something changed."
)


@router.patch(
    "/tasks/{task_id}",
    response_model=Task,
    summary="Update a task",
    description=_UPDATE_DESCRIPTION,
    responses=_UPDATE_RESPONSES,
)
def patch_task(
    request: Request, task_id: Id, body: TaskUpdate, me: CurrentUser, tasks: Tasks, if_match: IfMatch = None
) -> Response:
    return _update(request, me, tasks, task_id, body, if_match)


@router.put(
    "/tasks/{task_id}",
    response_model=Task,
    summary="Update a task (same as PATCH)",
    description=_UPDATE_DESCRIPTION,
    responses=_UPDATE_RESPONSES,
)
def put_task(
    request: Request, task_id: Id, body: TaskUpdate, me: CurrentUser, tasks: Tasks, if_match: IfMatch = None
) -> Response:
    return _update(request, me, tasks, task_id, body, if_match)


@router.delete(
    "/tasks/{task_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a task",
    responses=errors(NotFound("Task"), stale_version(FIRST_VERSION), 422, 503),
)
def delete_task(task_id: Id, me: CurrentUser, tasks: Tasks, if_match: IfMatch = None) -> Response:
    tasks.delete(me, task_id, parse_if_match(if_match))
    return Response(status_code=204)

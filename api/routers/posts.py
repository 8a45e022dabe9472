"""Post routes: parse, call one service method, shape the reply.
(Services come from the container in the body, as in api/routers/tasks.py.)"""

from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from api.concurrency import database_calls
from api.dependencies import container_of
from api.pagination import list_response
from api.params import Id, Limit, Skip
from api.problems import documented
from api.responses import json_response
from api.routing import api_router
from api.schemas.posts import PostCreate, PostOut
from domain.pages import PageRequest
from domain.posts.model import PostQuery

router = api_router(tags=["posts"])

LIST_PARAMETERS = ("author_id",)

AuthorFilter = Annotated[Id | None, Query(description="Only this author's posts ([] when there is no such author)")]


@router.post(
    "/posts",
    status_code=201,
    response_model=PostOut,
    summary="Create a post (its author must exist: 422 otherwise)",
    responses=documented(413, 422, 503),
)
async def create_post(request: Request, body: PostCreate) -> Response:
    service = container_of(request).post_service()
    post = await database_calls(request).run(service.create, body.to_domain())
    return json_response(post, 201, {"Location": f"/posts/{post.id}"})


@router.get(
    "/posts",
    response_model=list[PostOut],
    summary="List posts with their authors (id order)",
    responses=documented(422, 503),
)
async def list_posts(request: Request, author_id: AuthorFilter = None, skip: Skip = 0, limit: Limit = 50) -> Response:
    service = container_of(request).post_service()
    query = PostQuery(author_id=author_id, page=PageRequest(skip=skip, limit=limit))
    return list_response(request, await database_calls(request).run(service.find, query), query.page, LIST_PARAMETERS)


@router.get("/posts/{post_id}", response_model=PostOut, summary="Get a post", responses=documented(404, 422, 503))
async def get_post(request: Request, post_id: Id) -> Response:
    service = container_of(request).post_service()
    return json_response(await database_calls(request).run(service.get, post_id))


@router.delete(
    "/posts/{post_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a post",
    responses=documented(404, 422, 503),
)
async def delete_post(request: Request, post_id: Id) -> Response:
    service = container_of(request).post_service()
    await database_calls(request).run(service.delete, post_id)
    return Response(status_code=204)

"""Comment routes: parse, call one service method, shape the reply.
(Services come from the container in the body, as in api/routers/tasks.py.)"""

from fastapi import Request
from starlette.responses import Response

from api.concurrency import database_calls
from api.dependencies import container_of
from api.pagination import list_response
from api.params import Id, Limit, Skip
from api.problems import documented
from api.responses import json_response
from api.routing import api_router
from api.schemas.comments import CommentCreate, CommentOut
from domain.pages import PageRequest

router = api_router(tags=["comments"])


@router.post(
    "/posts/{post_id}/comments",
    status_code=201,
    response_model=CommentOut,
    summary="Comment on a post",
    responses=documented(404, 413, 422, 503),
)
async def create_comment(request: Request, post_id: Id, body: CommentCreate) -> Response:
    service = container_of(request).comment_service()
    comment = await database_calls(request).run(service.create, body.to_domain(post_id))
    return json_response(comment, 201, {"Location": f"/comments/{comment.id}"})


@router.get(
    "/posts/{post_id}/comments",
    response_model=list[CommentOut],
    summary="A post's comments (id order)",
    responses=documented(404, 422, 503),
)
async def list_post_comments(request: Request, post_id: Id, skip: Skip = 0, limit: Limit = 50) -> Response:
    service = container_of(request).comment_service()
    page = PageRequest(skip=skip, limit=limit)
    return list_response(request, await database_calls(request).run(service.of_post, post_id, page), page, ())


@router.get(
    "/comments/{comment_id}", response_model=CommentOut, summary="Get a comment", responses=documented(404, 422, 503)
)
async def get_comment(request: Request, comment_id: Id) -> Response:
    service = container_of(request).comment_service()
    return json_response(await database_calls(request).run(service.get, comment_id))


@router.delete(
    "/comments/{comment_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a comment",
    responses=documented(404, 422, 503),
)
async def delete_comment(request: Request, comment_id: Id) -> Response:
    service = container_of(request).comment_service()
    await database_calls(request).run(service.delete, comment_id)
    return Response(status_code=204)

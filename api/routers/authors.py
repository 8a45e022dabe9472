"""Author routes: parse, call one service method, shape the reply.
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
from api.schemas.authors import AuthorCreate, AuthorOut
from api.schemas.posts import PostOut
from domain.pages import PageRequest

router = api_router(tags=["authors"])


@router.post(
    "/authors",
    status_code=201,
    response_model=AuthorOut,
    summary="Create an author",
    responses=documented(413, 422, 503),
)
async def create_author(request: Request, body: AuthorCreate) -> Response:
    service = container_of(request).author_service()
    author = await database_calls(request).run(service.create, body.to_domain())
    return json_response(author, 201, {"Location": f"/authors/{author.id}"})


@router.get(
    "/authors", response_model=list[AuthorOut], summary="List authors (id order)", responses=documented(422, 503)
)
async def list_authors(request: Request, skip: Skip = 0, limit: Limit = 50) -> Response:
    service = container_of(request).author_service()
    page = PageRequest(skip=skip, limit=limit)
    return list_response(request, await database_calls(request).run(service.find, page), page, ())


@router.get(
    "/authors/{author_id}", response_model=AuthorOut, summary="Get an author", responses=documented(404, 422, 503)
)
async def get_author(request: Request, author_id: Id) -> Response:
    service = container_of(request).author_service()
    return json_response(await database_calls(request).run(service.get, author_id))


@router.delete(
    "/authors/{author_id}",
    status_code=204,
    response_class=Response,
    summary="Delete an author who has no posts",
    responses=documented(404, 409, 422, 503),
)
async def delete_author(request: Request, author_id: Id) -> Response:
    service = container_of(request).author_service()
    await database_calls(request).run(service.delete, author_id)
    return Response(status_code=204)


@router.get(
    "/authors/{author_id}/posts",
    response_model=list[PostOut],
    summary="An author's posts (id order)",
    responses=documented(404, 422, 503),
)
async def list_author_posts(request: Request, author_id: Id, skip: Skip = 0, limit: Limit = 50) -> Response:
    posts = container_of(request).post_service()
    page = PageRequest(skip=skip, limit=limit)
    return list_response(request, await database_calls(request).run(posts.of_author, author_id, page), page, ())

"""Post routes: parse, call one service method, shape the reply."""

from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from api.dependencies import Posts
from api.openapi import CREATED_ID, answer, errors, links_to
from api.pagination import list_response
from api.params import AnyId, Id, Limit, Skip
from api.responses import reply
from api.routing import api_router
from api.schemas.posts import EXAMPLE_AUTHOR_ID, PostCreate
from api.security import CurrentUser
from domain.entity_service import not_yours
from domain.errors import NotFound
from domain.pages import PageRequest
from domain.posts.model import Post, PostQuery
from domain.posts.service import unknown_author

router = api_router(tags=["posts"])


LIST_PARAMETERS = ("author_id",)

AuthorFilter = Annotated[AnyId | None, Query(description="Only this author's posts ([] when there is no such author)")]


@router.post(
    "/posts",
    status_code=201,
    response_model=Post,
    summary="Create a post (its author must exist: 422 otherwise)",
    responses={
        **answer(
            201,
            "Location",
            links=links_to("get_post", "delete_post", "create_comment", "list_post_comments", post_id=CREATED_ID),
        ),
        **errors(unknown_author(EXAMPLE_AUTHOR_ID), not_yours("Author"), 422, 503),
    },
)
def create_post(request: Request, body: PostCreate, me: CurrentUser, posts: Posts) -> Response:
    post = posts.create(me, body.to_domain())
    return reply(request, post, headers={"Location": f"/posts/{post.id}"})


@router.get(
    "/posts",
    response_model=list[Post],
    summary="List posts with their authors (id order)",
    responses={**answer(200, "X-Total-Count", "Link"), **errors(422, 503)},
)
def list_posts(
    request: Request, posts: Posts, author_id: AuthorFilter = None, skip: Skip = 0, limit: Limit = 50
) -> Response:
    query = PostQuery(author_id=author_id, page=PageRequest(skip=skip, limit=limit))
    return list_response(request, posts.find(query), query.page, LIST_PARAMETERS)


@router.get("/posts/{post_id}", response_model=Post, summary="Get a post", responses=errors(NotFound("Post"), 422, 503))
def get_post(request: Request, post_id: Id, posts: Posts) -> Response:
    return reply(request, posts.get(post_id))


@router.delete(
    "/posts/{post_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a post and its comments",
    responses=errors(NotFound("Post"), not_yours("Post"), 422, 503),
)
def delete_post(post_id: Id, me: CurrentUser, posts: Posts) -> Response:
    posts.delete(me, post_id)
    return Response(status_code=204)

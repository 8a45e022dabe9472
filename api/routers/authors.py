"""Author routes: parse, call one service method, shape the reply."""

from fastapi import Request
from starlette.responses import Response

from api.dependencies import Authors, Posts
from api.openapi import CREATED_ID, answer, errors, link, links_to
from api.pagination import list_response
from api.params import Id, Limit, Skip
from api.responses import reply
from api.routing import api_router
from api.schemas.authors import AuthorCreate
from api.security import CurrentUser
from domain.authors.model import Author
from domain.authors.service import still_has_posts
from domain.entity_service import not_yours
from domain.errors import NotFound
from domain.pages import PageRequest
from domain.posts.model import Post

router = api_router(tags=["authors"])


@router.post(
    "/authors",
    status_code=201,
    response_model=Author,
    summary="Create an author",
    responses={
        **answer(
            201,
            "Location",
            links={
                **links_to("get_author", "delete_author", "list_author_posts", author_id=CREATED_ID),
                "CreatePost": link("create_post", body={"author_id": CREATED_ID}),
            },
        ),
        **errors(422, 503),
    },
)
def create_author(request: Request, body: AuthorCreate, me: CurrentUser, authors: Authors) -> Response:
    author = authors.create(me, body.to_domain())
    return reply(request, author, headers={"Location": f"/authors/{author.id}"})


@router.get(
    "/authors",
    response_model=list[Author],
    summary="List authors (id order)",
    responses={**answer(200, "X-Total-Count", "Link"), **errors(422, 503)},
)
def list_authors(request: Request, authors: Authors, skip: Skip = 0, limit: Limit = 50) -> Response:
    page = PageRequest(skip=skip, limit=limit)
    return list_response(request, authors.find(page), page, ())


@router.get(
    "/authors/{author_id}",
    response_model=Author,
    summary="Get an author",
    responses=errors(NotFound("Author"), 422, 503),
)
def get_author(request: Request, author_id: Id, authors: Authors) -> Response:
    return reply(request, authors.get(author_id))


@router.delete(
    "/authors/{author_id}",
    status_code=204,
    response_class=Response,
    summary="Delete an author who has no posts",
    responses=errors(NotFound("Author"), not_yours("Author"), still_has_posts(1), 422, 503),
)
def delete_author(author_id: Id, me: CurrentUser, authors: Authors) -> Response:
    authors.delete(me, author_id)
    return Response(status_code=204)


@router.get(
    "/authors/{author_id}/posts",
    response_model=list[Post],
    summary="An author's posts (id order)",
    responses={**answer(200, "X-Total-Count", "Link"), **errors(NotFound("Author"), 422, 503)},
)
def list_author_posts(request: Request, author_id: Id, posts: Posts, skip: Skip = 0, limit: Limit = 50) -> Response:
    page = PageRequest(skip=skip, limit=limit)
    return list_response(request, posts.of_author(author_id, page), page, ())

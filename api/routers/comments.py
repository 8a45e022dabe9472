"""Comment routes: parse, call one service method, shape the reply."""

from fastapi import Request
from starlette.responses import Response

from api.dependencies import Comments
from api.openapi import CREATED_ID, answer, errors, links_to
from api.pagination import list_response
from api.params import Id, Limit, Skip
from api.responses import reply
from api.routing import api_router
from api.schemas.comments import CommentCreate
from api.security import CurrentUser
from domain.comments.model import Comment
from domain.entity_service import not_yours
from domain.errors import NotFound
from domain.pages import PageRequest

router = api_router(tags=["comments"])


@router.post(
    "/posts/{post_id}/comments",
    status_code=201,
    response_model=Comment,
    summary="Comment on a post",
    responses={
        **answer(
            201,
            "Location",
            links=links_to("get_comment", "delete_comment", comment_id=CREATED_ID),
        ),
        **errors(NotFound("Post"), 422, 503),
    },
)
def create_comment(request: Request, post_id: Id, body: CommentCreate, me: CurrentUser, comments: Comments) -> Response:
    comment = comments.create(me, body.to_domain(post_id))
    return reply(request, comment, headers={"Location": f"/comments/{comment.id}"})


@router.get(
    "/posts/{post_id}/comments",
    response_model=list[Comment],
    summary="A post's comments (id order)",
    responses={**answer(200, "X-Total-Count", "Link"), **errors(NotFound("Post"), 422, 503)},
)
def list_post_comments(
    request: Request, post_id: Id, comments: Comments, skip: Skip = 0, limit: Limit = 50
) -> Response:
    page = PageRequest(skip=skip, limit=limit)
    return list_response(request, comments.of_post(post_id, page), page, ())


@router.get(
    "/comments/{comment_id}",
    response_model=Comment,
    summary="Get a comment",
    responses=errors(NotFound("Comment"), 422, 503),
)
def get_comment(request: Request, comment_id: Id, comments: Comments) -> Response:
    return reply(request, comments.get(comment_id))


@router.delete(
    "/comments/{comment_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a comment",
    responses=errors(NotFound("Comment"), not_yours("Comment"), 422, 503),
)
def delete_comment(comment_id: Id, me: CurrentUser, comments: Comments) -> Response:
    comments.delete(me, comment_id)
    return Response(status_code=204)

"""The production app with one planted bug, for a real server process to serve:
GET /tasks/{id} raises inside the repository, after its query."""

from typing import Any

from dependency_injector import providers

from api.app import create_app
from api.container import Container
from domain.tasks.repository import TaskRepository
from infrastructure.repositories.tasks import SqlTaskRepository


class Buggy(SqlTaskRepository):
    def get(self, task_id: int) -> Any:
        super().get(task_id)
        raise LookupError("planted bug: secret-detail-in-the-exception")


container = Container()
container.repositories.override(providers.Object({**container.repositories(), TaskRepository: Buggy}))
app = create_app(container)

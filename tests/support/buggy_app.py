"""The production app with one planted bug, for a real server process to serve:
GET /tasks/{id} raises inside the repository, after its query."""

from typing import Any

from api.app import create_app
from api.container import Container
from infrastructure.repositories.tasks import SqlTaskRepository
from tests.support.units import use_tasks


class Buggy(SqlTaskRepository):
    def get(self, task_id: int) -> Any:
        super().get(task_id)
        raise LookupError("planted bug: secret-detail-in-the-exception")


container = Container()
use_tasks(container, Buggy)
app = create_app(container)

"""The production app whose task lists take a second: a request that is still
in flight when the server is told to stop."""

import time
from typing import Any

from dependency_injector import providers

from api.app import create_app
from api.container import Container
from domain.tasks.repository import TaskRepository
from infrastructure.repositories.tasks import SqlTaskRepository


class Slow(SqlTaskRepository):
    def find(self, query: Any) -> Any:
        page = super().find(query)
        time.sleep(1.5)
        return page


container = Container()
container.repositories.override(providers.Object({**container.repositories(), TaskRepository: Slow}))
app = create_app(container)

"""The production app whose task lists take a second: a request that is still
in flight when the server is told to stop."""

import time
from typing import Any

from api.app import create_app
from api.container import Container
from infrastructure.repositories.tasks import SqlTaskRepository
from tests.support.units import use_tasks


class Slow(SqlTaskRepository):
    def find(self, query: Any) -> Any:
        page = super().find(query)
        time.sleep(1.5)
        return page


container = Container()
use_tasks(container, Slow)
app = create_app(container)

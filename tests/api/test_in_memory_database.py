"""The README's example: the app on an in-memory SQLite database, its engine
replaced through the container, the way FastAPI + SQLModel users test."""

from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from api.app import create_app
from api.container import Container
from infrastructure.database import build_engine
from infrastructure.settings import Settings


def test_the_app_on_an_in_memory_database() -> None:
    settings = Settings(database_url="sqlite://", auth_secret="a secret of at least 32 bytes for tests")
    engine = build_engine(settings)  # in memory: one connection for all (StaticPool)
    SQLModel.metadata.create_all(engine)  # every table of infrastructure/tables
    container = Container()
    container.settings.override(settings)
    container.engine.override(engine)

    with TestClient(create_app(container)) as client:
        me = {"email": "ada@example.com", "password": "correct horse battery"}
        client.post("/users", json=me)
        token = client.post("/auth/token", data={"username": me["email"], "password": me["password"]}).json()
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        task = client.post("/tasks", json={"title": "Kept in memory"}).json()
        assert client.get(f"/tasks/{task['id']}").json() == task
        author = client.post("/authors", json={"name": "Ada"}).json()
        assert client.post("/posts", json={"title": "Notes", "author_id": author["id"]}).status_code == 201
        # The same rules as on a file: foreign keys are on.
        assert client.post("/posts", json={"title": "Orphan", "author_id": 999}).status_code == 422
        assert client.delete(f"/authors/{author['id']}").status_code == 409
    engine.dispose()

"""docker-compose.yml and Dockerfile: what can be checked without a Docker engine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

# Folders Airflow (or airflow-init) creates on first start; everything else must exist.
CREATED_AT_START = {"./logs", "./config/airflow"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return data


def _locked_airflow() -> str:
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    [version] = [p["version"] for p in lock["package"] if p["name"] == "apache-airflow"]
    return str(version)


def test_services_of_the_official_celery_setup(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= {
        "postgres",
        "redis",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-worker",
        "airflow-triggerer",
        "airflow-init",
    }
    commands = {name: s.get("command") for name, s in services.items()}
    assert commands["airflow-apiserver"] == "api-server"
    assert commands["airflow-worker"] == "celery worker"
    assert commands["airflow-dag-processor"] == "dag-processor"
    for name, s in services.items():
        if name != "airflow-init":
            assert "healthcheck" in s, f"{name} has no health check"
        if name.startswith("airflow"):
            assert s["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_dependencies_and_volumes_resolve(compose: dict[str, Any]) -> None:
    services = compose["services"]
    declared_volumes = set(compose.get("volumes") or {})
    for name, s in services.items():
        for dep, cond in (s.get("depends_on") or {}).items():
            assert dep in services, f"{name} depends on unknown {dep}"
            assert cond["condition"] in {
                "service_healthy",
                "service_completed_successfully",
                "service_started",
            }
        for vol in s.get("volumes") or []:
            src = vol.split(":")[0]
            if src.startswith("."):
                assert src in CREATED_AT_START or (REPO / src).exists(), f"{name}: {src} missing"
            else:
                assert src in declared_volumes, f"{name}: volume {src} not declared"


def test_workers_scale_and_share_the_lake(compose: dict[str, Any]) -> None:
    worker = compose["services"]["airflow-worker"]
    assert "container_name" not in worker and "ports" not in worker
    lake = worker["environment"]["BROADSHEET_LAKE"]
    default = re.sub(r"\$\{BROADSHEET_LAKE:-(.*)\}", r"\1", lake)
    mounts = {v.split(":")[1]: v.split(":")[0] for v in worker["volumes"]}
    assert mounts.get(default) == "broadsheet-lake"


def _compose_value(value: str) -> str:
    """A compose environment value as the container sees it when the host sets nothing."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def _dag_default_sources(env: dict[str, str], dag_file: str) -> str:
    """DEFAULT_SOURCES of the nightly DAG, evaluated as the container would: its own expression,
    read from the file, with the container's environment and the DAG's path in the container."""
    import ast
    import os
    import types

    tree = ast.parse((REPO / "dags" / "broadsheet_nightly.py").read_text())
    [expr] = [
        n.value
        for n in tree.body
        if isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "DEFAULT_SOURCES" for t in n.targets)
    ]
    fake_os = types.SimpleNamespace(environ=env, path=os.path)
    code = compile(ast.Expression(expr), "broadsheet_nightly.py", "eval")
    scope = {"os": fake_os, "Path": Path, "str": str, "__file__": dag_file}
    return str(eval(code, scope))  # the repository's own expression


def _host_path(container_path: str, volumes: list[str]) -> tuple[str, str]:
    """(source, path inside it) of the mount that holds a container path (longest prefix)."""
    best: tuple[str, str] | None = None
    for vol in volumes:
        src, dest = vol.split(":")[:2]
        inside = container_path == dest or container_path.startswith(dest.rstrip("/") + "/")
        if inside and (best is None or len(dest) > len(best[1])):
            best = (src, dest)
    assert best is not None, f"{container_path} is in no mount"
    return best[0], container_path[len(best[1]) :].lstrip("/")


@pytest.mark.parametrize(
    "service", ["airflow-dag-processor", "airflow-scheduler", "airflow-worker"]
)
def test_paths_inside_the_containers_match_the_mounts(
    compose: dict[str, Any], service: str
) -> None:
    """Where DAGs are parsed and tasks run, the sources file the DAG defaults to (through
    BROADSHEET_SOURCES) is a mounted, valid sources file, and the lake is the shared volume."""
    from pipeline.config import load_config

    s = compose["services"][service]
    env = {k: _compose_value(v) for k, v in s["environment"].items()}
    volumes = s["volumes"]
    dags_folder = env["AIRFLOW__CORE__DAGS_FOLDER"]
    assert _host_path(dags_folder, volumes) == ("./dags", "")
    default = _dag_default_sources(env, f"{dags_folder}/broadsheet_nightly.py")
    assert default == env.get("BROADSHEET_SOURCES"), "the DAG's default is what compose sets"
    src, inside = _host_path(default, volumes)
    host = REPO / src / inside
    assert src.startswith(".") and host.is_file(), f"{default} is not a mounted file"
    cfg = load_config(host, {"lake": env["BROADSHEET_LAKE"]})  # parses, sources resolve
    assert cfg.sources
    for source in cfg.sources:
        for path in getattr(source, "paths", ()):
            assert Path(path).resolve().is_relative_to((REPO / src).resolve()), path
    lake_src, _ = _host_path(env["BROADSHEET_LAKE"], volumes)
    assert lake_src == "broadsheet-lake"


def test_image_matches_the_lock() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    version = re.search(r"ARG AIRFLOW_VERSION=(\S+)", dockerfile)
    assert version and version.group(1) == _locked_airflow()
    assert re.search(r"^FROM apache/airflow:\$\{AIRFLOW_VERSION\}", dockerfile, re.M)
    assert re.search(r"uv export --frozen", dockerfile), "dependencies must come from uv.lock"
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert compose["x-airflow-common"]["build"]["args"]["AIRFLOW_VERSION"] == _locked_airflow()
    uv_pin = re.search(r'"uv==([\d.]+)"', dockerfile)
    makefile_pin = re.search(r"UV_VERSION := ([\d.]+)", (REPO / "Makefile").read_text())
    assert uv_pin and makefile_pin and uv_pin.group(1) == makefile_pin.group(1)


def test_celery_settings_match_the_distributed_test(compose: dict[str, Any]) -> None:
    """The settings tests/test_distributed.py runs its cluster with (tests/airflow_cluster.py)
    are the ones the compose file gives every component, addresses aside."""
    from tests.airflow_cluster import celery_env

    class _Server:
        url, socket_dir = "postgresql+psycopg2://postgres@/airflow?host=/tmp/pg", "/tmp/pg"

    tested = celery_env(_Server(), _Server())  # type: ignore[arg-type]
    env = compose["x-airflow-common"]["environment"]
    for key in ("AIRFLOW__CORE__EXECUTOR", "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER"):
        assert env[key] == tested[key]
    assert (
        env["AIRFLOW__CELERY__TASK_ACKS_LATE"].lower()
        == tested["AIRFLOW__CELERY__TASK_ACKS_LATE"].lower()
    )
    scheme = tested["AIRFLOW__CELERY__RESULT_BACKEND"].split("://")[0]
    assert scheme == "db+postgresql+psycopg2"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith(scheme + "://")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].endswith(":8080/execution/")
    # Shared secrets with no guessable default: the stack refuses to start without them.
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY"):
        assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", env[key]), key

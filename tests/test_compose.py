"""docker-compose.yml and Dockerfile: what can be checked without a Docker engine."""

from __future__ import annotations

import re
import tomllib
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


def test_paths_inside_the_containers_match_the_mounts(compose: dict[str, Any]) -> None:
    env = compose["services"]["airflow-scheduler"]["environment"]
    mounts = {
        v.split(":")[1]: v.split(":")[0]
        for v in compose["services"]["airflow-scheduler"]["volumes"]
    }
    assert mounts[env["AIRFLOW__CORE__DAGS_FOLDER"]] == "./dags"
    sources = env["BROADSHEET_SOURCES"]
    folder, name = sources.rsplit("/", 1)
    host = mounts[folder]
    assert (REPO / host / name).exists(), "the sources file the DAG reads is not in the mount"
    # The DAG reads these variables; the compose file must set them.
    dag = (REPO / "dags" / "broadsheet_nightly.py").read_text()
    for var in ("BROADSHEET_SOURCES", "BROADSHEET_LAKE", "BROADSHEET_SCHEDULE"):
        assert var in dag and var in env


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

# The Broadsheet image: the official Airflow image of the locked version, plus this project
# installed from uv.lock. Used by every Airflow service in docker-compose.yml.
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}

USER airflow
WORKDIR /opt/broadsheet

# Dependencies first (cached until the lock changes): export the lock to a pinned requirements
# file and install it with the image's pip. Airflow itself is pinned to the same version the
# image carries, so pip keeps the image's Airflow and adds only what Broadsheet needs.
COPY --chown=airflow:0 pyproject.toml uv.lock README.md ./
RUN pip install --no-cache-dir "uv==0.13.9" \
 && uv export --frozen --no-dev --extra celery --no-emit-project --no-hashes --format requirements-txt \
      > /tmp/requirements.txt \
 && pip install --no-cache-dir --compile -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# Then the project itself, without touching the dependencies installed above.
COPY --chown=airflow:0 pipeline/ ./pipeline/
COPY --chown=airflow:0 schemas/ ./schemas/
RUN pip install --no-cache-dir --no-deps --compile .

COPY --chown=airflow:0 dags/ /opt/airflow/dags/
COPY --chown=airflow:0 examples/ /opt/broadsheet/config/

ENV BROADSHEET_SOURCES=/opt/broadsheet/config/sources.yaml \
    BROADSHEET_LAKE=/opt/broadsheet/lake

# CS-EDC's image: the web app (gunicorn), the Celery worker and Celery beat all run from it
# (docker-compose.yml). Two stages: the build stage installs the dependencies, compiles the
# translations and collects the static files; the runtime image takes the result and only the
# system packages that run it. tests/deploy checks this file without Docker: every path it
# copies is in the build context, its runtime packages are the Makefile's, and `pip install .`
# with this Python (3.11) gives a project that passes `check --deploy`.
FROM python:3.11-slim-bookworm AS build
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH DJANGO_SETTINGS_MODULE=trialsite.settings.production
# gettext: msgfmt, which compilemessages runs. Needed at build time only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
# The virtualenv's own pip, setuptools and wheel first: the ones it is seeded with are older
# than their fixes (tests/quality/test_virtualenv.py).
RUN python -m venv /opt/venv \
 && pip install --no-cache-dir --upgrade pip setuptools wheel
WORKDIR /app
# The dependencies alone first (the project installs no package of its own: its code runs from
# /app), so that a change of code reuses this layer.
COPY pyproject.toml ./
RUN pip install --no-cache-dir . && rm -rf build ./*.egg-info
COPY . .
# The translations compiled (when the project has a catalogue) and the static files collected
# under their hashed names. The key only lets the production settings load.
RUN if [ -d locale ]; then SECRET_KEY=build-only python manage.py compilemessages; fi \
 && SECRET_KEY=build-only python manage.py collectstatic --noinput

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH DJANGO_SETTINGS_MODULE=trialsite.settings.production
# libpango-1.0-0, libpangoft2-1.0-0: WeasyPrint's text layout, for the PDF outputs;
# fonts-noto-cjk: the Chinese glyphs in those PDFs (the slim image has no CJK font).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --uid 10001 edc \
    && mkdir -p /data/outputs && chown edc /data/outputs
COPY --from=build /opt/venv /opt/venv
# The code stays root's: the app user runs it and cannot change it.
COPY --from=build /app /app
WORKDIR /app
USER edc
EXPOSE 8000
# The web container's probe (GET /health/ as the proxy sends it); docker-compose.yml turns it
# off for the worker, beat and migrate, which serve no HTTP.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "bin/healthcheck.py"]
CMD ["gunicorn", "trialsite.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=trialsite.settings.production
WORKDIR /app
COPY . .
# The image's own pip, setuptools and wheel first: the base image's are older than their fixes.
RUN pip install --no-cache-dir --upgrade pip setuptools wheel \
 && pip install --no-cache-dir -e . \
 && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --create-home edc && chown -R edc /app
USER edc
EXPOSE 8000
CMD ["gunicorn", "trialsite.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]

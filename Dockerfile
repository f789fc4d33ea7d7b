# FitCoach image: slim Python, dependencies from the hashed lock file, a non-root user.
# No secrets and no .env go into the image: Fly secrets (or -e) provide them at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN useradd --create-home --uid 10001 fitcoach \
    && mkdir -p /data \
    && chown fitcoach:fitcoach /data

COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY alembic.ini ./
COPY alembic ./alembic
COPY bot ./bot
COPY --chmod=0755 deploy/entrypoint.sh /usr/local/bin/fitcoach-entrypoint

# The container starts as root so the entrypoint can hand a fresh volume at /data to the
# unprivileged user; it then drops to that user with setpriv before the bot starts.

ENV PORT=8080 \
    DATABASE_URL=sqlite+aiosqlite:////data/fitcoach.db

EXPOSE 8080

# Migrates the database, then serves (webhook mode when WEBHOOK_URL is set).
ENTRYPOINT ["fitcoach-entrypoint"]
CMD ["python", "-m", "bot"]

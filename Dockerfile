# The children's social care inequalities explorer, as one container.
# By default the image build downloads every reference source from its publisher (the
# addresses in data/manifest.toml; `csc-inequalities data sources` lists them):
#   docker build -t csc-inequalities .
# Without internet, build from a mirror folder placed in ./data/mirror: a copy of the official
# files (the layout of ../shared/data) or a folder filled elsewhere with
# `csc-inequalities data fetch --to data/mirror`:
#   docker build --build-arg CSC_DATA_MIRROR=/app/data/mirror -t csc-inequalities .
# Run (uploads' temporary files in memory, never on disk; docs/hosting.md has the rest):
#   docker run -p 8000:8000 --tmpfs /tmp/uploads:rw,noexec,nosuid,size=256m,mode=1777 csc-inequalities
# then open http://localhost:8000
FROM python:3.11-slim

ARG CSC_DATA_MIRROR=""
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CSC_STORE_DIR=/app/data/store \
    BROWSER_PATH=/usr/bin/chromium

# Chromium and fonts: kaleido renders the PNG/SVG chart exports with them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 explorer \
    && mkdir -p /tmp/uploads && chown explorer:explorer /tmp/uploads && chmod 700 /tmp/uploads
WORKDIR /app

# Every dependency pinned with its hashes (requirements.lock, refreshed by tools/lock-requirements),
# then the project itself with nothing more fetched. Editable, so the code finds data/ beside it.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY csc_inequalities ./csc_inequalities
RUN pip install --no-deps --no-build-isolation -e .

COPY data ./data
RUN csc-inequalities data build ${CSC_DATA_MIRROR:+--mirror "$CSC_DATA_MIRROR"} \
    && rm -rf /app/data/mirror /app/data/downloads \
    && chown -R explorer:explorer /app/data

COPY app.py ./
COPY modules ./modules
COPY www ./www

# Uploads' temporary files: mount a tmpfs here (docker run --tmpfs, Compose, Kubernetes).
ENV TMPDIR=/tmp/uploads
USER explorer
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
# One worker per process: Shiny keeps sessions in memory (scale with more containers and
# sticky sessions at the load balancer); websocket pings find browsers that have gone.
CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000", "--workers", "1", \
     "--ws-ping-interval", "20", "--ws-ping-timeout", "20"]

# The children's social care inequalities explorer, as one container.
# By default the image build downloads every reference source from its publisher (the
# addresses in data/manifest.toml; `csc-inequalities data sources` lists them):
#   docker build -t csc-inequalities .
# Without internet, build from a mirror folder placed in ./data/mirror: a copy of the official
# files (the layout of ../shared/data) or a folder filled elsewhere with
# `csc-inequalities data fetch --to data/mirror`:
#   docker build --build-arg CSC_DATA_MIRROR=/app/data/mirror -t csc-inequalities .
# Run:  docker run -p 8000:8000 csc-inequalities   then open http://localhost:8000
FROM python:3.11-slim

ARG CSC_DATA_MIRROR=""
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CSC_STORE_DIR=/app/data/store \
    BROWSER_PATH=/usr/bin/chromium

# Chromium and fonts: kaleido renders the PNG/SVG chart exports with them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 explorer
WORKDIR /app

COPY pyproject.toml README.md ./
COPY csc_inequalities ./csc_inequalities
RUN pip install -e .

COPY data ./data
RUN csc-inequalities data build ${CSC_DATA_MIRROR:+--mirror "$CSC_DATA_MIRROR"} \
    && rm -rf /app/data/mirror /app/data/downloads \
    && chown -R explorer:explorer /app/data

COPY app.py ./
COPY modules ./modules
COPY www ./www

USER explorer
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
# One worker per process: Shiny keeps sessions in memory (scale with more containers and
# sticky sessions at the load balancer).
CMD ["shiny", "run", "--no-dev-mode", "--host", "0.0.0.0", "--port", "8000", "app:app"]

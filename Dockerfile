# CPU image of diplostance. Installs with scripts/install.sh, the same script `make` and CI run.
FROM python:3.11-slim

# Optional: a torch wheel index of your choice (unset: install.sh tries the PyTorch CPU index, then the default)
ARG TORCH_INDEX_URL
ENV HF_HUB_OFFLINE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:${PATH}"

WORKDIR /app
# Dependencies first, in a layer of their own: install.sh runs on the package metadata with empty packages, so
# editing the source does not reinstall torch and the rest.
COPY pyproject.toml README.md ./
COPY scripts ./scripts
RUN mkdir -p classifier training \
    && touch classifier/__init__.py training/__init__.py \
    && sh scripts/install.sh /opt/venv train,io,onnx,ray,serve editable

# Then the source, installed over the empty packages without touching the dependencies. Editable, as in CI, so
# the packaged config's data paths (training/configs -> ../../data) find the bundled corpus in /app/data.
COPY classifier ./classifier
COPY training ./training
COPY data ./data
COPY examples ./examples
RUN /opt/venv/bin/python -m pip install --no-cache-dir --no-deps -e . \
    && useradd --create-home --uid 1000 diplostance \
    && mkdir -p /app/models /app/runs \
    && chown diplostance /app/models /app/runs
USER 1000

# By default the image serves the HTTP API and its page on port 8000 (docs/service.md), from the model mounted at
# /models/default: docker run -p 127.0.0.1:8000:8000 -v "$PWD/models/default:/models/default:ro" diplostance
# 0.0.0.0 is the container's own interface, which only -p exposes; set DIPLOSTANCE_API_KEY to require a key.
# Any other command replaces this one: docker run diplostance score --model /models/default ...
EXPOSE 8000
ENTRYPOINT ["diplostance"]
CMD ["serve", "--host", "0.0.0.0", "--model", "/models/default"]

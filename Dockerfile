# CPU image of diplostance. Installs with scripts/install.sh, the same script `make` and CI run.
FROM python:3.11-slim

# Optional: a torch wheel index of your choice (unset: install.sh tries the PyTorch CPU index, then the default)
ARG TORCH_INDEX_URL
ENV HF_HUB_OFFLINE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:${PATH}"

WORKDIR /app
COPY pyproject.toml README.md ./
COPY scripts ./scripts
COPY classifier ./classifier
COPY training ./training
COPY configs ./configs
COPY data ./data
COPY examples ./examples

RUN sh scripts/install.sh /opt/venv train,io,onnx,ray regular

ENTRYPOINT ["diplostance"]
CMD ["--help"]

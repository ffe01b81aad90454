# The API image for docker-compose.yml; Neo4j runs in its own official container.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY graph ./graph
COPY api ./api
COPY loaders ./loaders
COPY visualisation ./visualisation
COPY cli ./cli
COPY data ./data
COPY NOTICE ./
# Editable, so the package finds the bundled data/ folder beside it.
RUN pip install --no-cache-dir -c constraints.txt -e . \
    && useradd --system --home /app councilgraph
USER councilgraph
EXPOSE 8000
CMD ["councilgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]

# dipkg as a container: the SPARQL service over the graph of the packaged sample seeds.
# The steps are the ones tests/test_install.py runs on every test run (install the package, build
# from an empty folder with no --articles, serve, ask /health), so a green suite means this image's
# commands work even where Docker is not installed.
#   docker build -t dipkg . && docker run --rm -p 8000:8000 dipkg
# Serve your own articles: mount a folder with *.txt and articles.toml and rebuild into /data/build:
#   docker run --rm -v "$PWD/articles:/articles:ro" -p 8000:8000 dipkg \
#       sh -c 'dipkg build --articles /articles --out /data/build && exec dipkg serve --host 0.0.0.0 --data /data/build'
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# the package only (see .dockerignore): pip builds the wheel from it, links resolved
WORKDIR /src
COPY pyproject.toml README.md LICENSE MANIFEST.in ./
COPY dipkg ./dipkg
COPY graph ./graph
COPY server ./server
COPY ontology ./ontology
COPY examples ./examples
COPY seeds ./seeds
RUN pip install . && rm -rf /src

# never root at run time; the release is built at image build time, into the user's own folder
RUN useradd --create-home --uid 10001 dipkg && mkdir /data && chown dipkg /data
USER dipkg
WORKDIR /data
RUN dipkg build

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"
# exec form: dipkg is PID 1 and gets docker stop's SIGTERM itself (a clean stop, status 0)
CMD ["dipkg", "serve", "--host", "0.0.0.0", "--data", "/data/build"]

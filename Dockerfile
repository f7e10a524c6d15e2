# syntax=docker/dockerfile:1
# Build: cgo is needed for SQLite (mattn/go-sqlite3).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/acercate ./cmd/acercate

# Run: a small Debian with only CA certificates (for api.telegram.org) and
# time zone data (weekly reports in America/Mexico_City), as a non-root user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin acercate \
 && mkdir -p /data && chown acercate /data
COPY --from=build /out/acercate /usr/local/bin/acercate
USER acercate
WORKDIR /data
ENV ACERCATE_DB=/data/acercate.db \
    ACERCATE_HTTP_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["acercate"]
CMD ["serve"]

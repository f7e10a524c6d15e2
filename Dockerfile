# syntax=docker/dockerfile:1
# Build: cgo is needed for SQLite (mattn/go-sqlite3). The Go of go.mod's
# toolchain line, patched (the standard library's fixes are in the
# toolchain, not in go.mod's requirements); GOTOOLCHAIN=local so a
# mismatch fails here instead of fetching another Go.
FROM golang:1.27.3-trixie AS build
ENV GOTOOLCHAIN=local
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/acercate ./cmd/acercate

# Run: a small Debian, the release the build ran on (the binary links its
# C library), with only CA certificates (for api.telegram.org) and time
# zone data, as a non-root user.
FROM debian:trixie-slim
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

# syntax=docker/dockerfile:1

# Build: a static binary (pure Go: modernc.org/sqlite needs no cgo).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w" \
        -o /out/salesdesk ./cmd/salesdesk \
 && mkdir -p /out/varlib/salesdesk

# Run: distroless static has CA certificates and tzdata, no shell, and runs
# as the unprivileged user nonroot (65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/salesdesk /salesdesk
# A writable place for a SQLite database when no PostgreSQL is configured
# (copied as an entry, not created as the target, so --chown applies to it).
COPY --from=build --chown=65532:65532 /out/varlib/ /var/lib/
USER 65532:65532
WORKDIR /var/lib/salesdesk
EXPOSE 8080
ENTRYPOINT ["/salesdesk"]
CMD ["run", "-c", "/etc/salesdesk/salesdesk.yaml"]

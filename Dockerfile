# syntax=docker/dockerfile:1
# Multi-stage: a static binary in a minimal image, running as a non-root
# user, its data file on the /data volume.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/itbot . \
 && mkdir -p /out/data && chown 65532:65532 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/itbot /usr/local/bin/itbot
COPY --from=build --chown=65532:65532 /out/data /data
# The working directory is /, so the default data file data/itbot.db is
# /data/itbot.db; mount a configuration at /itbot.yaml (or set ITBOT_CONFIG).
WORKDIR /
VOLUME /data
ENV ITBOT_LISTEN=0.0.0.0:8080
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/itbot", "--no-console"]

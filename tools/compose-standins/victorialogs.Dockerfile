# Stand-in for victoriametrics/victoria-logs:<version>: the same release built from its Go module
# (scripts/build-victorialogs.sh, statically linked) at the official image's path,
# /victoria-logs-prod, with it as the entrypoint and no default command. The official image is
# distroless (gcr.io/distroless/static: the binary only, as root); this one is bookworm, so
# compose must use nothing of it but the binary: no shell, no healthcheck inside it.
FROM debian:bookworm-slim
COPY victoria-logs /victoria-logs-prod
RUN /victoria-logs-prod -version
WORKDIR /
ENTRYPOINT ["/victoria-logs-prod"]
EXPOSE 9428

# Stand-in for otel/opentelemetry-collector-contrib:<version>: the collector the native stack runs
# (built with ocb from collector/builder-config.yaml, same version, only the components that config
# uses) at the official image's path, /otelcol-contrib, as uid/gid 10001, with its entrypoint and
# default command. The official image is distroless; this one is bookworm (nothing uses a shell).
FROM debian:bookworm-slim
COPY otelcol-contrib /otelcol-contrib
USER 10001:10001
ENTRYPOINT ["/otelcol-contrib"]
CMD ["--config", "/etc/otelcol-contrib/config.yaml"]
EXPOSE 4317 4318

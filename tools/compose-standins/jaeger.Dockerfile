# Stand-in for jaegertracing/jaeger:<version>, of which jaeger/Dockerfile takes only the binary at
# /cmd/jaeger/jaeger-linux: the native stack's Jaeger (scripts/build-jaeger.sh, the Go module of
# the same release) at that path, with the official image's user, entrypoint and command.
FROM debian:bookworm-slim
COPY jaeger-linux /cmd/jaeger/jaeger-linux
USER 10001
ENTRYPOINT ["/cmd/jaeger/jaeger-linux"]
CMD ["--config", "/cmd/jaeger/config.yaml"]

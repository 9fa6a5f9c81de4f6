# Stand-in for quay.io/oauth2-proxy/oauth2-proxy:<version>: the same release built from its Go
# module (scripts/build-oauth2-proxy.sh) at the image's path, /bin/oauth2-proxy, as uid/gid 65532
# (the distroless nonroot user), with it as the entrypoint.
FROM debian:bookworm-slim
COPY oauth2-proxy /bin/oauth2-proxy
USER 65532:65532
ENTRYPOINT ["/bin/oauth2-proxy"]
EXPOSE 4180

# Stand-in for quay.io/keycloak/keycloak:<version>: the same release's distribution from Maven
# Central (scripts/build-keycloak.sh, checked against its SHA-256) at the image's path,
# /opt/keycloak, owned by uid 1000 (group 0, as the image), on Debian's Java 17, with kc.sh as the
# entrypoint. The official image is UBI-based; nothing here depends on that.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
COPY keycloak /opt/keycloak
RUN mkdir -p /opt/keycloak/data && chown -R 1000:0 /opt/keycloak
USER 1000
ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]
EXPOSE 8443 9000

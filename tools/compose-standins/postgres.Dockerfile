# Stand-in for postgres:<version>-bookworm: Debian bookworm's postgresql-15 (its current point
# release, which may be newer than the tag: the compose test prints the server's version), the
# postgres user with the official image's uid/gid 999, PGDATA=/var/lib/postgresql/data, the
# binaries on PATH, SIGINT to stop, and an entrypoint honouring POSTGRES_USER,
# POSTGRES_PASSWORD(_FILE) and POSTGRES_DB with initdb on first start (no /docker-entrypoint-initdb.d).
FROM debian:bookworm-slim
RUN groupadd --system --gid 999 postgres \
 && useradd --system --uid 999 --gid postgres --home-dir /var/lib/postgresql --shell /bin/bash postgres \
 && mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/no-main.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
 && chmod 3777 /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]

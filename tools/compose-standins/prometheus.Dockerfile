# Stand-in for prom/prometheus:<version>: the native stack's Prometheus and promtool (built from
# the same release's Go module: scripts/build-prometheus.sh) at the official image's paths,
# /bin/prometheus and /bin/promtool, as nobody, in /prometheus (owned by nobody, so a new volume
# mounted there is nobody's), with its entrypoint and default command.
FROM debian:bookworm-slim
COPY prometheus promtool /bin/
RUN mkdir -p /prometheus /etc/prometheus && chown nobody:nogroup /prometheus /etc/prometheus \
 && /bin/prometheus --version | head -1
USER nobody
WORKDIR /prometheus
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
EXPOSE 9090

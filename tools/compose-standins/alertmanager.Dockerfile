# Stand-in for prom/alertmanager:<version>: the native stack's Alertmanager and amtool (built from
# a pinned copy of the same release's Go module: scripts/build-alertmanager.sh) at the official
# image's paths, /bin/alertmanager and /bin/amtool, as nobody, in /alertmanager (owned by nobody, so
# a new volume mounted there is nobody's), with its entrypoint and default command.
FROM debian:bookworm-slim
COPY alertmanager amtool /bin/
RUN mkdir -p /alertmanager /etc/alertmanager && chown nobody:nogroup /alertmanager /etc/alertmanager \
 && /bin/alertmanager --version 2>&1 | head -1
USER nobody
WORKDIR /alertmanager
ENTRYPOINT ["/bin/alertmanager"]
CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]
EXPOSE 9093

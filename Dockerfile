# Tweetup in a container: a builder stage with the -dev packages that builds (Release) and runs
# the unit tests, and a slim runtime stage with only the shared libraries, CA certificates and
# the tz database (spdlog and fmt are compiled into the binary: no libspdlog or libfmt). Both stages name the same base tag (see ../shared/container.md).

FROM debian:bookworm-slim AS builder
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config lld libboost1.81-dev libssl-dev \
      nlohmann-json3-dev libspdlog-dev libfmt-dev libsqlitecpp-dev libsqlite3-dev doctest-dev \
      libhowardhinnant-date-dev libcli11-dev tzdata zlib1g-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTWEETUP_BENCH=OFF \
 && cmake --build /build \
 && ctest --test-dir /build -L unit --output-on-failure \
 && strip /build/bot/tweetup

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates tzdata libssl3 libsqlite3-0 libdate-tz3 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* \
 && groupadd --system --gid 10001 tweetup \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin tweetup \
 && mkdir -p /data /config \
 && chown tweetup:tweetup /data
COPY --from=builder /build/bot/tweetup /usr/local/bin/tweetup
# The database lives in the volume; configuration comes from TWEETUP_* variables or a file
# mounted at /config/tweetup.json (then: run --config /config/tweetup.json).
ENV TWEETUP_DATABASE=/data/tweetup.db
VOLUME ["/data"]
USER 10001:10001
WORKDIR /data
# SIGTERM closes the adapters and lets in-flight sends finish, then the bot exits 0.
STOPSIGNAL SIGTERM
# The ops endpoint listens on http.listen (default 127.0.0.1:8080, inside the container); the
# image has no curl, so the bot asks its own /healthz. To publish it, set
# TWEETUP_HTTP_LISTEN=0.0.0.0:8080 and map the port.
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/tweetup", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/tweetup"]
CMD ["run"]

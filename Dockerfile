# Multi-stage build: compile in the Rust image, run from a small Debian with a non-root user.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
COPY config config
COPY console console
COPY benches benches
RUN cargo build --release --locked --bin carelink

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/carelink carelink \
 && mkdir -p /var/lib/carelink/data \
 && chown -R carelink:carelink /var/lib/carelink
COPY --from=build /src/target/release/carelink /usr/local/bin/carelink
COPY config /etc/carelink/config
WORKDIR /var/lib/carelink
ENV CARELINK_CONFIG_DIR=/etc/carelink/config \
    CARELINK_SERVER__LISTEN=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///var/lib/carelink/data/carelink.db
# The SQLite file (and its generated JWT secret) live here; use DATABASE_URL=postgres://... instead in production.
VOLUME ["/var/lib/carelink/data"]
USER carelink
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/carelink"]
CMD ["serve"]

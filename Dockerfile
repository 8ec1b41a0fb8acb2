# Dockerfile: the usersd image (target runtime: built on Debian 12, runs with
# the runtime libraries only, as an unprivileged user) and the one-shot
# tls-init image that docker-compose.yml uses to make a self-signed
# certificate. `docker compose build` builds both; alone:
#   docker build --target runtime -t users-service/usersd .

# --- build: the -dev packages and autotools, then make install-exec.
FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	gcc libc6-dev make autoconf automake pkg-config \
	libfcgi-dev libmariadb-dev libjson-c-dev libjwt-dev libssl-dev libiniparser-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The whole tree (.dockerignore leaves out builds, var/ and secrets/):
# make's rules may need any file they name.
COPY . .
RUN autoreconf -fi \
 && ./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
	--without-systemdsystemunitdir \
 && make -j"$(nproc)" \
 && make install-exec DESTDIR=/out \
 && strip /out/usr/sbin/usersd /out/usr/bin/usersd-token

# --- runtime: what usersd and usersd-token link, and nothing to build with.
FROM debian:12-slim AS runtime
# Group 101 is nginx's in the official nginx image: the socket is given to
# it (socket_group), so only nginx's workers and usersd can use it.
RUN groupadd --system --gid 101 nginx \
 && useradd --system --uid 10001 --user-group --groups nginx \
	--home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin \
	usersd \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	libfcgi0ldbl libmariadb3 libjson-c5 libjwt0 libssl3 libiniparser1 \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o usersd -g nginx -m 0750 /run/usersd \
 && install -d -m 0755 /etc/usersd
COPY --from=build /out/usr/sbin/usersd /usr/sbin/usersd
COPY --from=build /out/usr/bin/usersd-token /usr/bin/usersd-token
# The compose configuration as the default; docker-compose.yml mounts the
# same file over it, so an edit needs no rebuild.
COPY etc/usersd-compose.ini /etc/usersd/usersd.ini
USER usersd
# The socket exists once the configuration is read and the socket bound.
HEALTHCHECK --interval=5s --timeout=3s --retries=6 \
	CMD ["test", "-S", "/run/usersd/usersd.sock"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/sbin/usersd"]
CMD ["-c", "/etc/usersd/usersd.ini"]

# --- tls-init: writes a self-signed certificate for localhost into the
# volume mounted at /etc/ssl/usersd, unless one is there (yours, say).
FROM debian:12-slim AS tls-init
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	openssl \
 && rm -rf /var/lib/apt/lists/*
CMD ["sh", "-ec", "d=/etc/ssl/usersd; if [ -s $d/cert.pem ] && [ -s $d/key.pem ]; then echo \"tls-init: keeping $d/cert.pem\"; exit 0; fi; umask 077; openssl req -x509 -noenc -days 825 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout $d/key.pem -out $d/cert.pem; chmod 0644 $d/cert.pem; echo \"tls-init: wrote a self-signed certificate to $d\""]

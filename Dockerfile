# syntax=docker/dockerfile:1.7
# The Fiscal image: one image, every service. Run one service per container:
#   docker run ghcr.io/example/fiscal serve gateway      (or auth, invoice, invoice-worker, query, analytics, notification)
#   docker run ghcr.io/example/fiscal migrate invoice    (schema changes ahead of a rollout)
# Configuration is FISCAL_* environment variables (see the README); nothing is baked in.

ARG NODE_VERSION=24

# ---- build: every workspace compiled with the dev toolchain -----------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# Manifests first: the dependency layer is rebuilt only when a manifest or the lock changes.
COPY package.json package-lock.json ./
COPY packages/cfdi/package.json packages/cfdi/
COPY packages/contracts/package.json packages/contracts/
COPY packages/kit/package.json packages/kit/
COPY services/gateway/package.json services/gateway/
COPY services/auth/package.json services/auth/
COPY services/invoice/package.json services/invoice/
COPY services/query/package.json services/query/
COPY services/analytics/package.json services/analytics/
COPY services/notification/package.json services/notification/
COPY apps/cli/package.json apps/cli/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.base.json tsconfig.json ./
COPY packages packages
COPY services services
COPY apps apps
# Generated protobuf code is committed, so the build needs no buf; then only production dependencies stay.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: compiled code, production dependencies, the files the services read, no toolchain ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="fiscal" \
      org.opencontainers.image.description="Event-driven platform that ingests, validates, archives and reports on fiscal invoices (CFDI 4.0); run one service per container with 'serve <service>'." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/fiscal-platform/fiscal" \
      org.opencontainers.image.base.name="docker.io/library/node:${NODE_VERSION}-bookworm-slim"

# A fixed numeric user, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
RUN groupadd --system --gid 10001 fiscal \
 && useradd --system --uid 10001 --gid fiscal --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin fiscal \
 && mkdir -p /var/lib/fiscal/objects \
 && chown -R 10001:10001 /var/lib/fiscal

ENV NODE_ENV=production \
    FISCAL_HTTP_HOST=0.0.0.0 \
    FISCAL_GRPC_HOST=0.0.0.0 \
    FISCAL_ADMIN_HOST=0.0.0.0 \
    FISCAL_OBJECT_STORE_DIR=/var/lib/fiscal/objects

WORKDIR /app
# Owned by root and not writable by the service user: the code cannot be changed at run time.
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/packages/cfdi/package.json packages/cfdi/
COPY --from=build /src/packages/cfdi/dist packages/cfdi/dist
COPY --from=build /src/packages/cfdi/catalogs packages/cfdi/catalogs
COPY --from=build /src/packages/cfdi/certificates packages/cfdi/certificates
COPY --from=build /src/packages/contracts/package.json packages/contracts/
COPY --from=build /src/packages/contracts/dist packages/contracts/dist
COPY --from=build /src/packages/kit/package.json packages/kit/
COPY --from=build /src/packages/kit/dist packages/kit/dist
COPY --from=build /src/services/gateway/package.json services/gateway/
COPY --from=build /src/services/gateway/dist services/gateway/dist
COPY --from=build /src/services/auth/package.json services/auth/
COPY --from=build /src/services/auth/dist services/auth/dist
COPY --from=build /src/services/invoice/package.json services/invoice/
COPY --from=build /src/services/invoice/dist services/invoice/dist
COPY --from=build /src/services/query/package.json services/query/
COPY --from=build /src/services/query/dist services/query/dist
COPY --from=build /src/services/analytics/package.json services/analytics/
COPY --from=build /src/services/analytics/dist services/analytics/dist
COPY --from=build /src/services/notification/package.json services/notification/
COPY --from=build /src/services/notification/dist services/notification/dist
COPY --from=build /src/apps/cli/package.json apps/cli/
COPY --from=build /src/apps/cli/bin apps/cli/bin
COPY --from=build /src/apps/cli/dist apps/cli/dist
RUN ln -s /app/apps/cli/bin/fiscal.js /usr/local/bin/fiscal

USER 10001:10001
# The API (8080 for the gateway, 50051 gRPC for the others) and the admin port (probes, /metrics).
EXPOSE 8080 50051 9090
# Node is PID 1 and handles SIGTERM itself: readiness off, drain, flush, exit 0 (FISCAL_SHUTDOWN_TIMEOUT).
STOPSIGNAL SIGTERM
ENTRYPOINT ["fiscal"]
CMD ["help"]

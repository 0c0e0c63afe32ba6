# syntax=docker/dockerfile:1
#
# AI-governance policy decision point (PDP) — production image.
#
#   docker build -t ai-governance-pdp .
#   node bin/pdp.js auth new-key --name me --scopes decide:tool-call,status:read --add-to api-keys.json
#   docker run --rm -p 8181:8181 --read-only --tmpfs /tmp \
#     -v "$PWD/api-keys.json:/run/secrets/api-keys.json:ro" \
#     -e PDP_AUTH_API_KEYS_FILE=/run/secrets/api-keys.json ai-governance-pdp
#
# Two stages:
#   build   — installs every dependency (devDependencies included) and compiles
#             src/ into dist/ with `npm run build` (tsc -p tsconfig.build.json).
#   runtime — node:20-bookworm-slim with production dependencies only, the
#             compiled dist/, the launcher in bin/, the JSON Schemas and the
#             repo's policies/ baked in as the default bundle. Runs as uid 10001
#             and writes nothing outside /tmp, so it works with a read-only root
#             filesystem (mount an emptyDir or tmpfs at /tmp).
#
# Not verified on the development machines (no Docker engine there): see
# docs/operations.md "What was not validated".

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------- build stage
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# Dependencies first, so source edits do not invalidate this layer. Install
# scripts are skipped here because `prepare` would run `tsc` before src/ is
# copied; the only dependency with an install script (protobufjs) uses it for a
# version notice, not for building anything.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts

COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-info.mjs scripts/build-wasm-runtime.mjs ./scripts/
COPY src ./src
# The commit ?provenance reports as build_commit (the context has no .git):
#   docker build --build-arg BUILD_COMMIT=$(git rev-parse HEAD) .
ARG BUILD_COMMIT=""
RUN BUILD_COMMIT="$BUILD_COMMIT" npm run build

# -------------------------------------------------------------- runtime stage
FROM ${NODE_IMAGE} AS runtime

LABEL org.opencontainers.image.title="ai-governance-pdp" \
      org.opencontainers.image.description="AI-governance policy decision point (OPA-compatible decisions for model deployments and agent tool calls)" \
      org.opencontainers.image.licenses="Apache-2.0"

# Fixed non-root identity; the Helm chart and the manifests in deploy/ use the
# same ids in their securityContext.
RUN groupadd --system --gid 10001 pdp \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin pdp

WORKDIR /app
ENV NODE_ENV=production \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false \
    TMPDIR=/tmp
# The service serves the embedded bundle /app/policies (found next to
# package.json) unless PDP_BUNDLE_PATH, PDP_BUNDLE_URL or a PDP_CONFIG file
# names other bundles, on port 8181 (PDP_PORT).
#
# In a container callers come from outside, so the image listens on every
# interface (the service's own default is 127.0.0.1). The service refuses to
# listen beyond loopback without caller authentication, so the container does
# not start until you give it credentials to check, as files from secrets:
#   API keys:   -v ./api-keys.json:/run/secrets/api-keys.json:ro
#               -e PDP_AUTH_API_KEYS_FILE=/run/secrets/api-keys.json
#               (made with `pdp auth new-key --add-to api-keys.json`)
#   JWT:        -e PDP_AUTH_JWT_JWKS_URL=… -e PDP_AUTH_JWT_ISSUER=… -e PDP_AUTH_JWT_AUDIENCE=…
#   mTLS:       PDP_TLS_CERT_FILE, PDP_TLS_KEY_FILE, PDP_TLS_CLIENT_CA_FILE
# or, knowingly, PDP_AUTH_MODE=none (logged as a warning at every start).
ENV PDP_HOST=0.0.0.0

# Production dependencies only. --ignore-scripts: `prepare` would try to run
# tsc, which is a devDependency; dist/ comes from the build stage instead.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts \
 && npm cache clean --force \
 && rm -rf /root/.npm /tmp/*

COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
# The default bundle: the repo's own policies, served when no other bundle
# source is configured.
COPY policies ./policies

# Everything under /app stays root-owned and read-only for the service user.
USER 10001:10001
EXPOSE 8181

# No curl in the slim image: a node one-liner asks GET /health on PDP_PORT (over
# HTTPS when PDP_TLS_CERT_FILE is set; /health needs no credentials, but with
# client certificates use PDP_TLS_CLIENT_AUTH=optional so a probe without one
# can connect).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=process.env.PDP_PORT||8181;require(process.env.PDP_TLS_CERT_FILE?'https':'http').get({host:'127.0.0.1',port:p,path:'/health',timeout:2000,rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]

# node is PID 1: the service handles SIGTERM itself (stop accepting, drain,
# flush the decision log, exit), so no init shim is needed.
# `docker run IMAGE` serves; `docker run IMAGE <subcommand> …` runs another
# pdp subcommand (eval, test, bundle build).
ENTRYPOINT ["node", "bin/pdp.js"]
CMD ["serve"]

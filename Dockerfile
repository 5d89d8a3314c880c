# syntax=docker/dockerfile:1
# ztaudit container image, three stages on the same Node 24 base: `build` compiles the
# TypeScript to JavaScript (dist/; Node never strips types under node_modules, and compiled
# code starts faster anyway), `deps` installs the production dependencies only, `runtime`
# holds the two plus the templates, schemas, the demo and the LICENSE in /app.
#
# The image runs as the unprivileged `node` user and needs no writable root filesystem:
# reports go to --out (the Helm chart points it at a /tmp emptyDir) and the SQLite history to
# its own volume. Build: docker build -t ztaudit .   Try: docker run --rm ztaudit --help
# CI builds and runs it without a registry: scripts/build-image.sh.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Every dependency (TypeScript among them); no install scripts: the compiler needs none.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY checks ./checks
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Exactly the locked versions, no devDependencies, no install scripts (none of the runtime
# dependencies needs one), and no npm cache left behind.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# glibc malloc hands back every block of 128 KiB or more as soon as it is freed, instead of
# raising that threshold as it goes and keeping large buffers' pages: ~60 MiB less at 150,000
# pods, and no late step in a watching daemon's memory, for no measurable CPU
# (docs/performance.md#glibc-mallocs-mmap-threshold; the benches run with it: bench/malloc.ts).
ENV MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# LICENSE: Apache-2.0 asks that every copy carries it, the image included.
COPY package.json LICENSE ./
COPY templates ./templates
COPY schemas ./schemas
COPY examples ./examples
# `ztaudit` on PATH (what ENTRYPOINT runs); npm and the package manager shims stay unused.
RUN ln -s /app/dist/bin/ztaudit.cjs /usr/local/bin/ztaudit
# uid 1000 is `node` in the official images; numeric, so runAsNonRoot can verify it.
USER 1000:1000
ENTRYPOINT ["ztaudit"]
CMD ["run"]

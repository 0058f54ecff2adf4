# One image for both services in server mode (docker-compose.yml picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY schema/package.json schema/
COPY ingest/package.json ingest/
COPY server/package.json server/
COPY simulator/package.json simulator/
COPY app/package.json app/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build --if-present
ENV NODE_ENV=production

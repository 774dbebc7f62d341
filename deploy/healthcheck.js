// Container healthcheck of the Node services (deploy/Dockerfile, docker-compose.dev.yml):
// exits 0 when the service's GET /health on $PORT answers 2xx, 1 otherwise.
fetch(`http://127.0.0.1:${process.env.PORT}/health`, { signal: AbortSignal.timeout(2500) })
  .then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1));

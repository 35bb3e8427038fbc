import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Route = (request: IncomingMessage, response: ServerResponse) => void;

/** A loopback HTTP server a test scripts per path: what ERPs host their documents on. */
export interface FileServer {
  readonly baseUrl: string;
  readonly hits: Map<string, number>;
  route(path: string, handler: Route): void;
  serve(path: string, body: Uint8Array): void;
  close(): Promise<void>;
}

export async function startFileServer(): Promise<FileServer> {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (route) route(request, response);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    route: (path, handler) => routes.set(path, handler),
    serve: (path, body) =>
      routes.set(path, (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/xml' }).end(body);
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

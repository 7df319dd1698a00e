/** Start and stop the HTTP stand-ins on 127.0.0.1; they never listen on another address. */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Listen on 127.0.0.1 (`port` 0: any free port) and give back the server and its base URL. */
export async function listenOnLoopback(handler: RequestListener, port = 0): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Close the server and every connection still open on it (keep-alive clients included). */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A stand-in served on 127.0.0.1: subclasses answer requests, this class starts and stops it. */
export abstract class LoopbackService {
  private server: Server | undefined;
  /** Base URL while running, e.g. http://127.0.0.1:41234. */
  endpoint = "";

  /** Listen (`port` 0: any free port) and return the base URL. */
  async start(port = 0): Promise<string> {
    const { server, url } = await listenOnLoopback((req, res) => void this.handle(req, res), port);
    this.server = server;
    this.endpoint = url;
    return url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server);
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

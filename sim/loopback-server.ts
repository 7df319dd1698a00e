/** Start and stop the HTTP stand-ins on 127.0.0.1; they never listen on another address. */
import { createServer, type RequestListener, type Server } from "node:http";
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

import type { Server } from "node:https";
import type { AddressInfo } from "node:net";

/** A running listener. */
export interface Listener {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a listener on 127.0.0.1 and resolves once it listens; EADDRINUSE and friends are reported clearly. */
export function listen(server: Server, port: number, what: string): Promise<Listener> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === "EADDRINUSE" ? `the ${what} port ${port} is already in use; pick another with --${what}-port, or 0 for any free port` : `the ${what} listener could not start: ${error.message}`)),
    );
    server.listen(port, "127.0.0.1", () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({ server, port: actual, close: () => new Promise<void>((done) => { server.closeAllConnections?.(); server.close(() => done()); }) });
    });
  });
}

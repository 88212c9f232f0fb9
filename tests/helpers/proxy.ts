import net from "node:net";

/**
 * A tiny TCP load balancer for tests: each new connection goes to the next backend in turn
 * (round robin); a backend that refuses the connection is skipped for the next one, as a load
 * balancer's health check would. Whole connections are forwarded, so WebSocket and HTTP
 * keep-alive work; with WebSocket-only clients no sticky sessions are needed.
 */
export interface TestProxy {
  url: string;
  port: number;
  /** The backend port each accepted connection went to, in order. */
  routed: number[];
  close(): Promise<void>;
}

/** Listens on `port` when given (a restarted balancer at the same address), else on a free one. */
export async function startProxy(backendPorts: number[], port = 0): Promise<TestProxy> {
  let next = 0;
  const routed: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    client.pause();
    const attempt = (tries: number) => {
      if (tries >= backendPorts.length || client.destroyed) return client.destroy();
      const port = backendPorts[next++ % backendPorts.length];
      const upstream = net.connect(port, "127.0.0.1");
      let connected = false;
      upstream.once("connect", () => {
        connected = true;
        routed.push(port);
        sockets.add(upstream);
        upstream.on("close", () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on("close", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on("error", () => {
        if (!connected) attempt(tries + 1);
        else client.destroy();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const listening = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${listening}`,
    port: listening,
    routed,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
